"""Committed towns made by the benchmarks and by the tests that need real commits."""

from collections.abc import Iterable

from django.db import transaction

from comptoir.db import connection
from comptoir.routing import town_routing_forget
from tenants.models import Town, VendorAuditEvent
from tenants.services.provisioning import schema_name_for


def schemas_named(names: Iterable[str]) -> set[str]:
    """Which of these schemas exist (committed or in this connection's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(names)])
        return {name for (name,) in cursor.fetchall()}


def towns_remove(*, slugs: Iterable[str]) -> None:
    """Drop these towns for good: schemas, Town and Domain rows, and their audit events."""
    slugs = list(slugs)
    connection.set_schema_to_public()
    for town in Town.objects.filter(slug__in=slugs).order_by("pk"):
        # One transaction per town: dropping hundreds of schemas at once would need more locks
        # than PostgreSQL's default lock table holds.
        with transaction.atomic():
            town.delete(force_drop=True)
    VendorAuditEvent.objects.filter(
        town_schema__in=[schema_name_for(slug) for slug in slugs]
    ).delete()
    town_routing_forget()
