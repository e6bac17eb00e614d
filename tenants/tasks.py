"""Background jobs of the tenants app: town figures and the spare schema pool.

The beat schedule (settings.CELERY_BEAT_SCHEDULE) runs `town_stats_refresh_all`,
`spare_pool_refill` and `towns_backup_all`; all, like `town_stats_refresh` and `town_backup`,
may run twice without harm.
"""

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from comptoir.db import connection
from comptoir.town import current_town
from tenants.models import Town
from tenants.selectors import towns_to_refresh
from tenants.services.backups import town_backup_once
from tenants.services.exports import town_export as town_export_make
from tenants.services.spares import spare_pool_refill as spare_pool_refill_service
from tenants.services.stats import town_stats_refresh_for


@shared_task
def town_stats_refresh() -> dict[str, int]:
    """Count the figures of the town whose schema the task runs in, and record them."""
    schema_name = connection.schema_name
    if schema_name == get_public_schema_name():
        raise RuntimeError("town_stats_refresh runs in a town's schema (send it with its header).")
    # tenant-schemas-celery switched the connection to the town named in the task's header.
    counts = town_stats_refresh_for(town=current_town())
    return {"merchants": counts.merchants, "products": counts.products, "orders": counts.orders}


@shared_task
def town_stats_refresh_all() -> int:
    """Send one `town_stats_refresh` per town still in use, each in its town's schema."""
    schema_names = list(towns_to_refresh().values_list("schema_name", flat=True))
    for schema_name in schema_names:
        town_stats_refresh.apply_async(headers={"_schema_name": schema_name})
    return len(schema_names)


@shared_task
def spare_pool_refill() -> int:
    """Keep the pool of ready schemas full; returns how many were made."""
    return spare_pool_refill_service()


@shared_task
def town_backup(slug: str, label: str, actor_email: str = "") -> str:
    """Back the town up once under `label` (a retried task finds its archive made)."""
    return town_backup_once(town=Town.objects.get(slug=slug), label=label, actor_email=actor_email)


@shared_task
def towns_backup_all() -> int:
    """The nightly backup of every town in use, one task each, labelled with the day."""
    slugs = list(towns_to_refresh().values_list("slug", flat=True))
    label = timezone.now().strftime("%Y%m%d")
    for slug in slugs:
        town_backup.delay(slug, label)
    return len(slugs)


@shared_task
def town_export(slug: str, label: str, actor_email: str = "") -> str:
    """Export the town's data once under `label` (a retried task finds its zip made)."""
    return town_export_make(town=Town.objects.get(slug=slug), label=label, actor_email=actor_email)
