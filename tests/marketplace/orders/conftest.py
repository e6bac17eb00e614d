"""The orders and shoppers tests read the English messages (the msgids): pages are asked in
English and services run with English active, so the French catalogue may change freely."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from tenants.models import Town
from tests.marketplace.orders.factories import english_client


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def client_a(town_a: Town) -> Client:
    return english_client(town_a)


@pytest.fixture
def client_b(town_b: Town) -> Client:
    return english_client(town_b)
