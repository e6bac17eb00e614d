"""The figures the console lists for each town, gathered in its schema and kept in the public one.

A page view never opens every town's schema: a Celery task counts inside each town and records
the result in `TownStats` (public schema), which the console reads in one query.
"""

from dataclasses import dataclass, fields

from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from comptoir.db import connection
from tenants.hooks import town_figure_count
from tenants.models import Town, TownStats


@dataclass(frozen=True)
class TownCounts:
    merchants: int = 0
    products: int = 0
    orders: int = 0


def town_stats_collect() -> TownCounts:
    """Count the current town's merchants, products and orders, each through the app that
    registered it (`tenants.hooks`). Runs in the town's schema."""
    if connection.schema_name == get_public_schema_name():
        raise RuntimeError("Town figures are counted inside a town's schema, not the public one.")
    return TownCounts(**{field.name: town_figure_count(field.name) for field in fields(TownCounts)})


def town_stats_record(*, town_id: int, counts: TownCounts) -> TownStats:
    """Write a town's figures to the public schema (idempotent: one row per town)."""
    with schema_context("public"):
        stats, _created = TownStats.objects.update_or_create(
            town_id=town_id,
            defaults={
                "merchants": counts.merchants,
                "products": counts.products,
                "orders": counts.orders,
                "refreshed_at": timezone.now(),
            },
        )
    return stats


def town_stats_refresh_for(*, town: Town) -> TownCounts:
    """Count a town's figures in its schema and record them in the public one."""
    with schema_context(town.schema_name):
        counts = town_stats_collect()
    town_stats_record(town_id=town.pk, counts=counts)
    return counts


def town_stats_start(*, town_id: int) -> TownStats:
    """Give a just-provisioned town its figures row at zero, leaving any existing row as it is."""
    with schema_context("public"):
        stats, _created = TownStats.objects.get_or_create(
            town_id=town_id, defaults={"refreshed_at": timezone.now()}
        )
    return stats
