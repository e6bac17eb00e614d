"""Fixtures of the vendor API tests: tokens in the public schema, clients on the root host."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from comptoir.accounts.models import User
from comptoir.routing import town_routing_forget


@pytest.fixture(autouse=True)
def _fresh_routing_cache() -> Iterator[None]:
    town_routing_forget()
    yield
    town_routing_forget()


def api_client_for(user: User | None, *, host: str = "", schema: str = "public") -> APIClient:
    """A client on `host` (the root host by default) sending `user`'s token of that schema."""
    client = APIClient(HTTP_HOST=host or settings.ROOT_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        with schema_context(schema):
            token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def vendor_api(vendor_staff: User) -> APIClient:
    return api_client_for(vendor_staff)
