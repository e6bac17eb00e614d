"""Filling the town from a business registry: upload, preview, import, with the report."""

from typing import cast

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.accounts.models import User
from comptoir.http import SignedInTownRequest
from onboarding.models import RegistryImport, RegistryImportLine
from onboarding.registry.entries import RegistryFileInvalid
from onboarding.selectors import (
    registry_import_commit_of,
    registry_import_get,
    registry_import_lines,
    registry_imports_recent,
)
from onboarding.services.registry import (
    reason_label,
    registry_import_confirm,
    registry_import_resume,
    registry_import_upload,
)
from surfaces.town_admin.access import town_admin_required
from surfaces.town_admin.forms.registry import RegistryUploadForm


@town_admin_required
@require_http_methods(["GET", "POST"])
def registry_import(request: SignedInTownRequest) -> HttpResponse:
    form = RegistryUploadForm()
    status = 200
    if request.method == "POST":
        form = RegistryUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                run = registry_import_upload(
                    actor=cast(User, request.user),
                    file_format=form.cleaned_data["file_format"],
                    upload=form.cleaned_data["file"],
                    legal_units=form.cleaned_data["legal_units"],
                )
            except RegistryFileInvalid as error:
                form.add_error("file", error.message)
            else:
                return redirect("town_admin:registry_run", run_id=run.pk)
        status = 400
    return render(
        request,
        "town_admin/registry_import.html",
        {"form": form, "runs": registry_imports_recent()},
        status=status,
    )


def _run_or_404(run_id: int) -> RegistryImport:
    try:
        return registry_import_get(run_id=run_id)
    except RegistryImport.DoesNotExist as error:
        raise Http404 from error


def _reasons(run: RegistryImport) -> list[tuple[str, int]]:
    return [
        (reason_label(reason), count) for reason, count in sorted(run.skipped_by_reason.items())
    ]


@town_admin_required
@require_http_methods(["GET"])
def registry_run(request: SignedInTownRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(run_id)
    outcome = request.GET.get("resultat") or None
    context = {
        "run": run,
        "reasons": _reasons(run),
        "page": registry_import_lines(run=run, page=request.GET.get("page"), outcome=outcome),
        "outcome": outcome,
        "outcomes": RegistryImportLine.Outcome.choices,
        "commit_run": None if run.commit else registry_import_commit_of(preview=run),
    }
    return render(request, "town_admin/registry_run.html", context)


@town_admin_required
@require_http_methods(["GET"])
def registry_progress(request: SignedInTownRequest, run_id: int) -> HttpResponse:
    """The progress bar alone, polled by htmx while the run is going; once it ends, the page
    reloads itself to show the report (HX-Refresh)."""
    run = _run_or_404(run_id)
    response = render(
        request, "town_admin/_registry_progress.html", {"run": run, "reasons": _reasons(run)}
    )
    if run.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@town_admin_required
@require_POST
def registry_confirm(request: SignedInTownRequest, run_id: int) -> HttpResponse:
    _run_or_404(run_id)
    try:
        run = registry_import_confirm(actor=cast(User, request.user), preview_id=run_id)
    except (RegistryFileInvalid, RegistryImport.DoesNotExist) as error:
        raise Http404(_("There is no finished preview to import.")) from error
    return redirect("town_admin:registry_run", run_id=run.pk)


@town_admin_required
@require_POST
def registry_resume(request: SignedInTownRequest, run_id: int) -> HttpResponse:
    _run_or_404(run_id)
    run = registry_import_resume(actor=cast(User, request.user), run_id=run_id)
    return redirect("town_admin:registry_run", run_id=run.pk)
