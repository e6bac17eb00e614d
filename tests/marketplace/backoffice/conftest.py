import pytest
from django.test import Client

from comptoir.accounts.models import User
from marketplace.directory.models import Merchant, MerchantMember
from tenants.models import Town
from tests.conftest import inside, signed_in, user_create
from tests.marketplace.backoffice.builders import member_add, shop_create


@pytest.fixture
def shop_a(town_a: Town) -> Merchant:
    return shop_create(town_a, name="Fleurs de Lys", owner="owner@alpha.test")


@pytest.fixture
def owner_a(town_a: Town, shop_a: Merchant) -> User:
    with inside(town_a):
        return User.objects.get(email="owner@alpha.test")


@pytest.fixture
def staff_a(town_a: Town, shop_a: Merchant) -> User:
    return member_add(town_a, shop_a, "staff@alpha.test", MerchantMember.Role.STAFF)


@pytest.fixture
def rival_a(town_a: Town) -> Merchant:
    """Another shop of the same town, with its own owner."""
    return shop_create(town_a, name="Au Panier Rival", owner="rival@alpha.test")


@pytest.fixture
def shop_b(town_b: Town) -> Merchant:
    return shop_create(town_b, name="Bazar de Beta", owner="owner@beta.test")


@pytest.fixture
def owner_client(client_a: Client, town_a: Town, owner_a: User) -> Client:
    return signed_in(client_a, town_a, owner_a.email)


@pytest.fixture
def staff_client(client_a: Client, town_a: Town, staff_a: User) -> Client:
    return signed_in(client_a, town_a, staff_a.email)


@pytest.fixture
def rival_client(town_a: Town, rival_a: Merchant) -> Client:
    from tests.conftest import host_of

    return signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, "rival@alpha.test")


@pytest.fixture
def shopper_client(town_a: Town) -> Client:
    from tests.conftest import host_of

    user_create(town_a, "shopper@alpha.test")
    return signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, "shopper@alpha.test")
