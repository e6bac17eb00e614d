"""Visit counts moved from Redis into each town's tables, by Celery beat."""

from celery import shared_task

from comptoir.db import connection
from reporting.services import visits_flush as visits_flush_service
from tenants.selectors import towns_to_refresh


@shared_task
def visits_flush() -> int:
    """Write the town's counts waiting in Redis into its tables (idempotent: see
    reporting.services); run in the town's schema (tenant-schemas-celery's header)."""
    return visits_flush_service(schema_name=connection.schema_name)


@shared_task
def visits_flush_all() -> int:
    """Send one `visits_flush` per town still in use, each in its schema; returns how many."""
    schema_names = list(towns_to_refresh().values_list("schema_name", flat=True))
    for schema_name in schema_names:
        visits_flush.apply_async(headers={"_schema_name": schema_name})
    return len(schema_names)
