"""The town's branding: colours, images, home-page texts, contact and legal pages."""

from typing import cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from comptoir.accounts.models import User
from comptoir.http import SignedInTownRequest
from surfaces.town_admin.access import town_admin_required
from surfaces.town_admin.forms.branding import BrandingForm
from tenants.errors import TownStateInvalid
from tenants.selectors import town_branding_get
from tenants.services.branding import (
    ColourAssessment,
    TownBrandingInvalid,
    colour_assess,
    town_branding_update,
)


def _swatches(*, primary: str, accent: str) -> list[tuple[str, ColourAssessment]]:
    return [(_("Main colour"), colour_assess(primary)), (_("Accent colour"), colour_assess(accent))]


@town_admin_required
@require_http_methods(["GET", "POST"])
def branding(request: SignedInTownRequest) -> HttpResponse:
    town = town_branding_get(town=request.tenant)
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES, town=town)
        if form.is_valid():
            try:
                town_branding_update(
                    town=town, actor=cast(User, request.user), **form.branding_changes()
                )
            except TownBrandingInvalid as invalid:
                for field, errors in invalid.errors.items():
                    for error in errors:
                        form.add_error(field, error)
            except TownStateInvalid as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Branding saved: the portal shows it now."))
                return redirect("town_admin:branding")
        status = 400
    else:
        form = BrandingForm(initial=BrandingForm.initial_for(town), town=town)
        status = 200
    primary, accent = (form[name].value() or "" for name in ("primary_colour", "accent_colour"))
    return render(
        request,
        "town_admin/branding.html",
        {
            "form": form,
            "branding": town,
            "swatches": _swatches(primary=primary, accent=accent),
        },
        status=status,
    )


@town_admin_required
@require_GET
def branding_preview(request: SignedInTownRequest) -> HttpResponse:
    """The colours being typed, shown as the header and a button would show them."""
    return render(
        request,
        "town_admin/_colour_preview.html",
        {
            "swatches": _swatches(
                primary=request.GET.get("primary_colour", ""),
                accent=request.GET.get("accent_colour", ""),
            )
        },
    )
