"""Reads of the public schema for the vendor console, the vendor API, the periodic tasks and
the town administration."""

from django.db.models import F, Prefetch, QuerySet
from django_tenants.utils import schema_context

from tenants.models import Domain, Town, VendorAuditEvent

# How many of a town's audit events its console page shows, newest first.
AUDIT_TRAIL_LENGTH = 50
# How many deleted towns' backups the console lists, newest first.
BACKUPS_LISTED = 100


def _towns_with_figures() -> QuerySet[Town]:
    # The figures come from TownStats by a LEFT JOIN: a town whose figures were never gathered
    # has None in each, which the console shows as "—".
    return Town.objects.annotate(
        merchants_count=F("stats__merchants"),
        products_count=F("stats__products"),
        orders_count=F("stats__orders"),
        stats_refreshed_at=F("stats__refreshed_at"),
    ).order_by("name", "pk")


def towns_for_console(*, status: str = "", query: str = "") -> QuerySet[Town]:
    """Every town with its figures, in one query whatever the number of towns."""
    towns = _towns_with_figures()
    if status:
        towns = towns.filter(status=status)
    if query:
        towns = towns.filter(name__icontains=query)
    return towns


def towns_with_domains() -> QuerySet[Town]:
    """Every town with its figures and host names: two queries, whatever the number of towns."""
    return _towns_with_figures().prefetch_related(
        Prefetch("domains", queryset=Domain.objects.order_by("-is_primary", "domain"))
    )


def town_audit_trail(*, town: Town) -> QuerySet[VendorAuditEvent]:
    """What vendor staff did to this town, newest first."""
    return VendorAuditEvent.objects.filter(town_schema=town.schema_name).order_by(
        "-created_at", "-pk"
    )[:AUDIT_TRAIL_LENGTH]


def towns_to_refresh() -> QuerySet[Town]:
    """The towns whose figures still move: every town but the archived ones."""
    return Town.objects.exclude(status=Town.Status.ARCHIVED).order_by("pk")


def town_backups() -> QuerySet[VendorAuditEvent]:
    """Towns' backups, newest first: those made before a deletion and those made on purpose
    (nightly or from the console); each one's audit line names its archive."""
    return (
        VendorAuditEvent.objects.filter(action__in=VendorAuditEvent.BACKUP_ACTIONS)
        .exclude(detail="")
        .order_by("-created_at", "-pk")[:BACKUPS_LISTED]
    )


def town_branding_get(*, town: Town) -> Town:
    """The town's branding as saved now, not as this process's routing cache last saw it, so an
    administrator never edits (and saves back) values up to ten seconds old."""
    with schema_context("public"):
        return Town.objects.get(pk=town.pk)
