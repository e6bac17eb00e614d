"""The administration's front page, and the console's way in for vendor staff."""

from django.contrib.auth import login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from comptoir.http import SignedInTownRequest, TownRequest
from surfaces.town_admin.access import town_admin_required
from tenants.errors import VendorAccessRefused
from tenants.services.impersonation import vendor_access_redeem


@town_admin_required
def dashboard(request: SignedInTownRequest) -> HttpResponse:
    return render(request, "town_admin/dashboard.html")


@require_GET
def vendor_access(request: TownRequest, token: str) -> HttpResponse:
    """The console's one-time link: vendor staff arrive signed in as the town's support admin."""
    try:
        user = vendor_access_redeem(token=token)
    except VendorAccessRefused as refused:
        return render(
            request, "console/vendor_access_refused.html", {"reason": str(refused)}, status=403
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("town_admin:dashboard")
