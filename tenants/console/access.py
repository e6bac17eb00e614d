"""Who may use the console: signed-in vendor staff, past their second factor when they have one."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from comptoir.http import PlatformRequest

if TYPE_CHECKING:
    from comptoir.http import OTPUser

# A console view answers a page or a file (a town's backup).
View = Callable[..., HttpResponseBase]


class ConsoleRequest(PlatformRequest):
    """The request of a console view, past `console_gate`: the root host, signed-in staff."""

    tenant: None
    user: "OTPUser"


def console_gate(request: PlatformRequest, *, enrolling: bool = False) -> HttpResponse | None:
    """None when the request may go on; else the redirect to follow (or PermissionDenied)."""
    user = request.user
    if request.tenant is not None:
        # The console lives on the root host only; a town's session means nothing here.
        raise PermissionDenied
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("console:login"))
    if not (user.is_active and user.is_staff):
        raise PermissionDenied
    if user.is_verified():
        return None
    if user_has_device(user):
        # Enrolled, but this session never gave a code (it began before the enrolment).
        return redirect_to_login(request.get_full_path(), reverse("console:login"))
    if settings.CONSOLE_REQUIRE_2FA and not enrolling:
        return redirect("console:two_factor")
    return None


def vendor_staff_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: PlatformRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        return console_gate(request) or view(request, *args, **kwargs)

    return wrapper


def vendor_staff_enrolling(view: View) -> View:
    """Like vendor_staff_required, for the enrolment page a vendor without a device must reach."""

    @wraps(view)
    def wrapper(request: PlatformRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        return console_gate(request, enrolling=True) or view(request, *args, **kwargs)

    return wrapper
