"""Fixtures shared by the whole suite.

The test database is migrated once per worker; then two towns, Alpha and Beta, are provisioned by
cloning the template schema (no migrations per test) and committed. Each test runs inside a
transaction rolled back at its end, so the towns come back clean for the next one.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.test import Client
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from comptoir.accounts.models import User
from comptoir.db import connection
from comptoir.outage import outage_records
from comptoir.routing import town_routing_forget
from tenants.models import Town
from tenants.services.provisioning import town_provision
from tests.fakes.stripe_server import FakeStripe

TEST_PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        for slug, name in (("alpha", "Alpha-sur-Mer"), ("beta", "Beta-les-Bains")):
            if not Town.objects.filter(slug=slug).exists():
                town_provision(name=name, slug=slug, admin_email=f"mairie@{slug}.test")
            Town.objects.filter(slug=slug).update(status=Town.Status.ACTIVE)


@pytest.fixture
def english(settings) -> Iterator[None]:
    """Pages and messages in English, so assertions read the msgids whatever the French catalogue
    says (the French catalogue has its own tests)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _default_language_between_tests() -> Iterator[None]:
    """The test client's requests activate their language in the thread and leave it there: each
    test starts in the site's own language, whatever the one before asked for."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _public_schema_between_tests() -> Iterator[None]:
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _services_back_between_tests() -> Iterator[None]:
    """A test that takes a Redis of its own away leaves this process's record of it "down" (in
    production the same Redis comes back and says so): each test starts with every service
    answering, so the staff's outage banner shows only in the test that causes it."""
    yield
    for outage in list(outage_records()):
        outage.answered()


@pytest.fixture(autouse=True)
def _routing_cache_between_tests() -> Iterator[None]:
    """The per-process routing cache outlives a rolled-back test: a town it saw suspended or
    renamed must not be served so to the next test."""
    town_routing_forget()
    yield
    town_routing_forget()


def cache_empty() -> None:
    """Empty this process's cache entries. xdist workers share Redis: each its own keys only."""
    cache = caches["default"]  # the backend itself: `django.core.cache.cache` is a proxy
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"*:{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _cache_between_tests() -> None:
    """The cache outlives a rolled-back test too: a page kept from the last test's rows must not
    be served to this one."""
    cache_empty()


@pytest.fixture
def town_a(db) -> Town:
    return Town.objects.get(slug="alpha")


@pytest.fixture
def town_b(db) -> Town:
    return Town.objects.get(slug="beta")


@contextmanager
def inside(town: Town) -> Iterator[Town]:
    """Run the block in the town's schema, then come back to the public one."""
    with schema_context(town.schema_name):
        yield town


def host_of(town: Town) -> str:
    return town.primary_domain_name


@pytest.fixture
def client_a(town_a: Town) -> Client:
    return Client(HTTP_HOST=host_of(town_a))


@pytest.fixture
def client_b(town_b: Town) -> Client:
    return Client(HTTP_HOST=host_of(town_b))


@pytest.fixture
def root_client(db) -> Client:
    return Client(HTTP_HOST=settings.ROOT_DOMAIN)


def public_user_delete(user: User) -> None:
    """Delete a public-schema user. Django's cascade would also look for the user's rows in the
    towns' tables (merchant teams, orders…), which the public schema lacks: the public rows
    that may name the user go first, then the user's own row."""
    TOTPDevice.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{User._meta.db_table}" WHERE id = %s', [user.pk])


def user_create(town: Town | None, email: str, **fields: object) -> User:
    """A user in the town's schema (or the public schema when town is None)."""
    with schema_context(town.schema_name if town else "public"):
        return User.objects.create_user(email, TEST_PASSWORD, **fields)


@pytest.fixture
def admin_a(town_a: Town) -> User:
    return user_create(town_a, "admin@alpha.test", is_town_admin=True, full_name="Adèle Alpha")


@pytest.fixture
def admin_b(town_b: Town) -> User:
    return user_create(town_b, "admin@beta.test", is_town_admin=True, full_name="Bruno Beta")


@pytest.fixture
def vendor_staff(db) -> User:
    return user_create(None, "staff@comptoir.test", is_staff=True, full_name="Vera Vendor")


def signed_in(client: Client, town: Town | None, email: str) -> Client:
    """Sign the client in; the session lives in that town's schema (or the public one)."""
    with schema_context(town.schema_name if town else "public"):
        # django-axes counts sign-ins per request: the test client's login gives it one.
        assert client.login(request=HttpRequest(), email=email, password=TEST_PASSWORD)
    return client


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    """Uploaded and generated media go to a directory of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def backups_root(settings, tmp_path: Path) -> Path:
    """Town backups go to a private directory of this test's own, beside (not under) media."""
    location = tmp_path / "backups"
    settings.STORAGES = settings.STORAGES | {
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        }
    }
    return location


@pytest.fixture
def fake_stripe(settings) -> Iterator[FakeStripe]:
    """A fresh offline Stripe on a free port, the real `stripe` library pointed at it; its
    webhooks wait in `deliveries` (tests/billing/builders.py delivers them)."""
    fake = FakeStripe(
        secret_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET
    ).start()
    settings.STRIPE_API_BASE = fake.url
    try:
        yield fake
    finally:
        fake.stop()
