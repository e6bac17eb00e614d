from django.db.models import QuerySet

from tenants.models import Town


def towns_for_console() -> QuerySet[Town]:
    """Every town with its figures, in two queries whatever the number of towns."""
    return Town.objects.select_related("stats").prefetch_related("domains").order_by("name")
