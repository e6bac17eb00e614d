"""Fixtures of the console tests: a signed-in vendor, towns as bare public rows, TOTP codes."""

import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from comptoir.accounts.models import User
from comptoir.routing import town_routing_forget
from tenants.models import Town, TownStats
from tests.conftest import signed_in


@pytest.fixture(autouse=True)
def _fresh_routing_cache() -> Iterator[None]:
    """Status and domain changes reach the per-process routing cache; a rolled-back test must
    not leave them there for the next one."""
    town_routing_forget()
    yield
    town_routing_forget()


@pytest.fixture
def root_en(db: None) -> Client:
    """A root-host client reading the console in English, so texts match their msgids."""
    return Client(HTTP_HOST=settings.ROOT_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def console(root_en: Client, vendor_staff: User) -> Client:
    return signed_in(root_en, None, vendor_staff.email)


def town_row_create(slug: str, *, status: str = Town.Status.ACTIVE, stats: bool = True) -> Town:
    """A town in the public schema only (no schema made): enough for what the console lists."""
    town = Town(name=slug.title(), slug=slug, schema_name=slug.replace("-", "_"), status=status)
    town.auto_create_schema = False
    town.save()
    if stats:
        TownStats.objects.create(
            town=town, merchants=3, products=14, orders=15, refreshed_at=timezone.now()
        )
    return town


def totp_device_create(user: User, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Console", confirmed=confirmed)


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app shows now (or at `at`) for this device."""
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() if at is None else at
    return f"{generator.token():0{device.digits}d}"
