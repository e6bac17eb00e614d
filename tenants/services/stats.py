"""The figures the console lists for each town, gathered in its schema and kept in the public one.

A page view never opens every town's schema: a Celery task counts inside each town and records
the result in `TownStats` (public schema), which the console reads in one query.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import TownStats

# (app label, model name) of each figure. The marketplace apps may not be installed in every
# deployment (or not yet migrated in a branch): a missing model counts zero.
_COUNTED_MODELS = {
    "merchants": ("directory", "Merchant"),
    "products": ("catalogue", "Product"),
    "orders": ("orders", "Order"),
}


@dataclass(frozen=True)
class TownCounts:
    merchants: int = 0
    products: int = 0
    orders: int = 0


def _model_count(app_label: str, model_name: str) -> int:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return 0
    return model._default_manager.count()


def town_stats_collect() -> TownCounts:
    """Count the current town's merchants, products and orders. Runs in the town's schema."""
    if connection.schema_name == get_public_schema_name():
        raise RuntimeError("Town figures are counted inside a town's schema, not the public one.")
    return TownCounts(**{figure: _model_count(*model) for figure, model in _COUNTED_MODELS.items()})


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


def town_stats_start(*, town_id: int) -> TownStats:
    """Give a just-provisioned town its figures row at zero, leaving any existing row as it is."""
    with schema_context("public"):
        stats, _created = TownStats.objects.get_or_create(
            town_id=town_id, defaults={"refreshed_at": timezone.now()}
        )
    return stats
