"""A small pool of ready clones of the template, renamed into a town in milliseconds."""

import secrets

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import quote_schema_name

from tenants.models import SpareSchema
from tenants.services.locks import provisioning_lock
from tenants.services.template import (
    migrations_fingerprint,
    template_schema_clone,
    template_schema_ensure,
)


def _drop_schema(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(schema_name)} CASCADE")


def spare_pool_refill(*, size: int | None = None) -> int:
    """Throw away spares made under older migrations, then clone up to `size`. Returns clones made.

    Idempotent: run twice, it makes nothing the second time.
    """
    size = settings.SPARE_SCHEMA_POOL_SIZE if size is None else size
    fingerprint = migrations_fingerprint()
    with transaction.atomic():
        provisioning_lock()
        template_schema_ensure()
        for stale in SpareSchema.objects.exclude(migrations_fingerprint=fingerprint):
            _drop_schema(stale.schema_name)
            stale.delete()
    made = 0
    while True:
        # One clone per transaction, so provisioning waits for one clone at most.
        with transaction.atomic():
            provisioning_lock()
            if SpareSchema.objects.count() >= size:
                return made
            schema_name = f"spare_{secrets.token_hex(6)}"
            template_schema_clone(schema_name=schema_name)
            SpareSchema.objects.create(schema_name=schema_name, migrations_fingerprint=fingerprint)
            made += 1


def spare_schema_take(*, schema_name: str) -> bool:
    """Rename a current spare to `schema_name`, inside the caller's transaction. False if none."""
    spare = (
        SpareSchema.objects.select_for_update(skip_locked=True)
        .filter(migrations_fingerprint=migrations_fingerprint())
        .order_by("pk")
        .first()
    )
    if spare is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER SCHEMA {quote_schema_name(spare.schema_name)} "
            f"RENAME TO {quote_schema_name(schema_name)}"
        )
    spare.delete()
    return True


def spare_pool_empty() -> None:
    """Drop every spare (tests and benchmarks start from a known pool)."""
    with transaction.atomic():
        provisioning_lock()
        for spare in SpareSchema.objects.all():
            _drop_schema(spare.schema_name)
        SpareSchema.objects.all().delete()
