import pytest

from marketplace.directory.models import Merchant
from tenants.models import Town
from tests.marketplace.backoffice.builders import shop_create


@pytest.fixture
def shop_a(town_a: Town) -> Merchant:
    return shop_create(town_a, name="Fleurs de Lys", owner="owner@alpha.test")


@pytest.fixture
def shop_b(town_b: Town) -> Merchant:
    return shop_create(town_b, name="Bazar de Beta", owner="owner@beta.test")
