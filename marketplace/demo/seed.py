"""Filling one demo town, once: each part is made only when the town has none of it yet, so a
second run keeps everything and costs a handful of queries.

Random choices come from a generator seeded with the town's slug: the same town gets the same
shops, products and orders every time (dates follow the day of the run).
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django_tenants.utils import schema_context

from comptoir.accounts.models import User
from comptoir.celery import app as celery_app
from comptoir.town import town_now
from marketplace.appointments.models import SlotRule
from marketplace.demo.activity import (
    demo_appointments_play,
    demo_campaign_ensure,
    demo_messages_play,
    demo_orders_play,
)
from marketplace.demo.content import TOWN_PROFILES
from marketplace.demo.directory import (
    DemoSize,
    demo_directory_fill,
    demo_shoppers_ensure,
)
from marketplace.directory.models import Merchant
from marketplace.messaging.models import Conversation
from marketplace.orders.models import Order
from tenants.models import Town


@dataclass
class DemoFilled:
    """What one run added to a town (zeros on a second run)."""

    merchants: int = 0
    products: int = 0
    shoppers: int = 0
    orders: int = 0
    messages: int = 0
    appointments: int = 0
    campaigns: int = 0

    @property
    def anything(self) -> bool:
        return any(vars(self).values())


@cache
def _password_hash(password: str) -> str:
    """One hash for every demo account: hashing is slow on purpose, and these share a password."""
    return make_password(password)


@contextmanager
def notifications_kept_in_memory() -> Iterator[None]:
    """The demo's orders, messages and bookings notify like real ones, but nobody is e-mailed:
    the tasks run in this process, into Django's memory outbox and the memory SMS backend."""
    eager_before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            SMS_BACKEND="marketplace.orders.sms.MemorySmsBackend",
        ):
            yield
    finally:
        celery_app.conf.task_always_eager = eager_before


def demo_town_fill(*, town: Town, size: DemoSize, password: str) -> DemoFilled:
    """Give the town its demo content, the parts it lacks only. Returns what was added."""
    profile = TOWN_PROFILES[town.slug]
    rng = random.Random(f"comptoir-demo-{town.slug}")
    filled = DemoFilled()
    password_hash = _password_hash(password)
    with schema_context(town.schema_name), notifications_kept_in_memory():
        admin = User.objects.filter(is_town_admin=True).order_by("pk").first()
        with transaction.atomic():
            shoppers, filled.shoppers = demo_shoppers_ensure(
                town_slug=town.slug, town_name=town.name, profile=profile, size=size,
                password_hash=password_hash, rng=rng,
            )  # fmt: skip
            if not Merchant.objects.exists():
                made = demo_directory_fill(
                    town_name=town.name, town_slug=town.slug, size=size, rng=rng,
                    password_hash=password_hash, admin=admin, shoppers=shoppers,
                )  # fmt: skip
                filled.merchants, filled.products = made.merchants, made.products
        # The town's life goes through the services, each committing its own transaction as
        # in real use (they are durable): a run stopped here keeps what was played so far.
        if not Order.objects.exists():
            orders = demo_orders_play(shoppers=shoppers, checkouts=size.checkouts, rng=rng)
            filled.orders = len(orders)
            if not Conversation.objects.exists():
                filled.messages = demo_messages_play(orders=orders)
        if not SlotRule.objects.exists():
            filled.appointments = demo_appointments_play(shoppers=shoppers, rng=rng)
        filled.campaigns = len(demo_campaign_ensure(admin=admin, today=town_now().date()))
    return filled
