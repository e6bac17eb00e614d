import pytest

from comptoir.accounts.models import User
from marketplace.directory.models import Merchant
from tenants.models import Town
from tests.conftest import user_create
from tests.marketplace.backoffice.builders import shop_create


@pytest.fixture
def shop_a(town_a: Town) -> Merchant:
    return shop_create(town_a, name="Fleurs de Lys", owner="owner@alpha.test")


@pytest.fixture
def owner_a(town_a: Town, shop_a: Merchant) -> User:
    from tests.conftest import inside

    with inside(town_a):
        return User.objects.get(email="owner@alpha.test")


@pytest.fixture
def shopper_a(town_a: Town) -> User:
    return user_create(town_a, "camille@alpha.test", full_name="Camille Client")
