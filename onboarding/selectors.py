"""Reading the registry imports: the recent runs, one run and a page of its report."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from onboarding.models import RegistryImport, RegistryImportLine

LINES_PER_PAGE = 100


def registry_imports_recent(*, limit: int = 10) -> list[RegistryImport]:
    return list(RegistryImport.objects.select_related("created_by").order_by("-pk")[:limit])


def registry_import_get(*, run_id: int) -> RegistryImport:
    """One run of this town (another town's id names nothing here: RegistryImport.DoesNotExist)."""
    return RegistryImport.objects.select_related("preview_of").get(pk=run_id)


def registry_import_lines(
    *, run: RegistryImport, page: str | int | None, outcome: str | None = None
) -> Page:
    lines: QuerySet[RegistryImportLine] = RegistryImportLine.objects.filter(run=run).order_by(
        "line", "pk"
    )
    if outcome in RegistryImportLine.Outcome.values:
        lines = lines.filter(outcome=outcome)
    return Paginator(lines, LINES_PER_PAGE).get_page(page)


def registry_import_commit_of(*, preview: RegistryImport) -> RegistryImport | None:
    return preview.commits.order_by("pk").first()
