import pytest

from tenants.models import Town
from tests.onboarding.builders import TOWN_INSEE


@pytest.fixture
def town_a(db) -> Town:
    """Alpha with Aix-les-Bains' INSEE code, which the fixtures' rows carry."""
    Town.objects.filter(slug="alpha").update(insee_code=TOWN_INSEE)
    return Town.objects.get(slug="alpha")


@pytest.fixture
def town_b(db) -> Town:
    Town.objects.filter(slug="beta").update(insee_code=TOWN_INSEE)
    return Town.objects.get(slug="beta")
