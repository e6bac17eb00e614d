"""The vendor console, on the root host: towns, provisioning, lifecycle, second factor."""

from base64 import b32encode
from collections.abc import Callable

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LogoutView
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from comptoir.redirects import next_url_safe
from tenants.console.access import (
    ConsoleRequest,
    vendor_staff_enrolling,
    vendor_staff_required,
)
from tenants.console.forms import (
    ConsoleSignInForm,
    DomainAddForm,
    TownDeleteForm,
    TownFilterForm,
    TownProvisionForm,
    TownStatusForm,
    TwoFactorConfirmForm,
)
from tenants.errors import TownInputInvalid, TownStateInvalid, TwoFactorCodeInvalid
from tenants.models import Town, VendorAuditEvent
from tenants.selectors import (
    town_audit_trail,
    town_backups,
    towns_for_console,
    towns_with_domains,
)
from tenants.services.backups import town_backup_request
from tenants.services.domains import town_domain_add
from tenants.services.exports import town_export_request
from tenants.services.impersonation import vendor_access_grant
from tenants.services.lifecycle import town_backup_open, town_delete, town_status_set
from tenants.services.provisioning import town_provision
from tenants.services.stats import town_stats_start
from tenants.services.vendor_staff import (
    vendor_totp_device_confirm,
    vendor_totp_device_pending,
    vendor_totp_verify,
)

TOWNS_PER_PAGE = 50

_STATUS_DONE_MESSAGES = {
    Town.Status.SUSPENDED: gettext_lazy(
        "“%(town)s” is suspended: its portal shows a notice to visitors."
    ),
    Town.Status.ACTIVE: gettext_lazy("“%(town)s” is active."),
    Town.Status.ARCHIVED: gettext_lazy("“%(town)s” is archived: its portal is read-only."),
}


def sign_in(request: HttpRequest) -> HttpResponse:
    form = ConsoleSignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        device = None
        if user_has_device(user):
            try:
                device = vendor_totp_verify(user=user, token=form.cleaned_data["otp_token"])
            except TwoFactorCodeInvalid:
                form.add_error("otp_token", _("Enter the current code of your authenticator app."))
        if form.is_valid():
            login(request, user)
            if device is not None:
                django_otp.login(request, device)
            return redirect(next_url_safe(request, default="console:town_list"))
    return render(request, "console/sign_in.html", {"form": form})


sign_out = LogoutView.as_view(next_page="console:login")


def _qr_code_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@vendor_staff_enrolling
def two_factor(request: ConsoleRequest) -> HttpResponse:
    user = request.user
    # The gate sent an enrolled vendor whose session gave no code back to sign-in: a session
    # here is verified exactly when the vendor has a device.
    if user.is_verified():
        return render(request, "console/two_factor.html", {"enrolled": True})
    device = vendor_totp_device_pending(user=user)
    form = TwoFactorConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = vendor_totp_device_confirm(user=user, token=form.cleaned_data["otp_token"])
        except TwoFactorCodeInvalid:
            form.add_error("otp_token", _("This code does not match: enter the current one."))
        else:
            django_otp.login(request, device)
            messages.success(request, _("Two-factor authentication is on for your account."))
            return redirect("console:town_list")
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "console/two_factor.html",
        {
            "enrolled": False,
            "form": form,
            "qr_code_svg": _qr_code_svg(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


@vendor_staff_required
def town_list(request: ConsoleRequest) -> HttpResponse:
    filters = TownFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    towns = towns_for_console(status=criteria.get("status", ""), query=criteria.get("q", ""))
    page = Paginator(towns, TOWNS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/town_list.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@vendor_staff_required
def town_provision_form(request: ConsoleRequest) -> HttpResponse:
    form = TownProvisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            town = town_provision(
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                insee_code=form.cleaned_data["insee_code"],
                admin_email=form.cleaned_data["admin_email"],
                plan=form.cleaned_data["plan"],
                actor_email=request.user.email,
            )
        except TownInputInvalid as refused:
            for field, errors in refused.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            town_stats_start(town_id=town.pk)
            messages.success(
                request,
                _("“%(town)s” is live at %(url)s. Its administrator was invited by e-mail.")
                % {"town": town.name, "url": town.url},
            )
            return redirect("console:town_detail", slug=town.slug)
    return render(request, "console/town_provision.html", {"form": form})


@vendor_staff_required
def town_detail(request: ConsoleRequest, slug: str) -> HttpResponse:
    """The town's page; its form adds a host name to the town."""
    town = get_object_or_404(towns_with_domains(), slug=slug)
    domain_form = DomainAddForm(request.POST or None)
    if request.method == "POST" and domain_form.is_valid():
        try:
            added = town_domain_add(
                town=town, domain=domain_form.cleaned_data["domain"], actor_email=request.user.email
            )
        except TownInputInvalid as refused:
            for error in refused.errors.get("domain", []):
                domain_form.add_error("domain", error)
        else:
            messages.success(
                request,
                _("“%(town)s” now also answers on %(domain)s.")
                % {"town": town.name, "domain": added.domain},
            )
            return redirect("console:town_detail", slug=town.slug)
    return render(
        request,
        "console/town_detail.html",
        {
            # Not "town": that name is the host's town, which the page's brand shows.
            "managed_town": town,
            "audit_trail": town_audit_trail(town=town),
            "domain_form": domain_form,
            "can_suspend": town.status in (Town.Status.TRIAL, Town.Status.ACTIVE),
            "can_activate": town.status != Town.Status.ACTIVE,
            "can_archive": town.status != Town.Status.ARCHIVED,
            "can_delete": town.status == Town.Status.ARCHIVED,
        },
    )


@vendor_staff_required
@require_POST
def town_status(request: ConsoleRequest, slug: str) -> HttpResponse:
    town = get_object_or_404(Town, slug=slug)
    form = TownStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the town."))
        return redirect("console:town_detail", slug=town.slug)
    status = form.cleaned_data["status"]
    try:
        town = town_status_set(town=town, status=status, actor_email=request.user.email)
    except TownStateInvalid as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _STATUS_DONE_MESSAGES[status] % {"town": town.name})
    return redirect("console:town_detail", slug=town.slug)


@vendor_staff_required
def town_delete_confirm(request: ConsoleRequest, slug: str) -> HttpResponse:
    town = get_object_or_404(Town, slug=slug)
    if town.status != Town.Status.ARCHIVED:
        messages.error(request, _("Archive the town before deleting it."))
        return redirect("console:town_detail", slug=town.slug)
    form = TownDeleteForm(request.POST or None, town=town)
    if request.method == "POST" and form.is_valid():
        try:
            dump_name = town_delete(town=town, actor_email=request.user.email)
        except TownStateInvalid as refused:
            messages.error(request, str(refused))
            return redirect("console:town_detail", slug=town.slug)
        messages.success(
            request,
            _("“%(town)s” is deleted. Its data was saved to %(dump)s.")
            % {"town": town.name, "dump": dump_name},
        )
        return redirect("console:town_list")
    return render(request, "console/town_delete.html", {"managed_town": town, "form": form})


@vendor_staff_required
@require_POST
def town_admin_open(request: ConsoleRequest, slug: str) -> HttpResponse:
    town = get_object_or_404(Town, slug=slug)
    return redirect(vendor_access_grant(town=town, staff=request.user))


def _archive_queued(
    request: ConsoleRequest, slug: str, start: Callable[..., str], message: str
) -> HttpResponse:
    """Queue the town's backup or export (`start`), say so, and go back to the town's page."""
    town = get_object_or_404(Town, slug=slug)
    start(town=town, actor_email=request.user.email)
    messages.success(request, message % {"town": town.name})
    return redirect("console:town_detail", slug=town.slug)


@vendor_staff_required
@require_POST
def town_backup_start(request: ConsoleRequest, slug: str) -> HttpResponse:
    return _archive_queued(
        request,
        slug,
        town_backup_request,
        _("The backup of “%(town)s” is being made; it will be listed under Backups."),
    )


@vendor_staff_required
@require_POST
def town_export_start(request: ConsoleRequest, slug: str) -> HttpResponse:
    return _archive_queued(
        request,
        slug,
        town_export_request,
        _("The export of “%(town)s”'s data is being made; it will be listed under Backups."),
    )


@vendor_staff_required
def backup_list(request: ConsoleRequest) -> HttpResponse:
    return render(request, "console/backups.html", {"backups": town_backups()})


@vendor_staff_required
def backup_download(request: ConsoleRequest, event_id: int) -> FileResponse:
    try:
        name, backup = town_backup_open(event_id=event_id, actor_email=request.user.email)
    except VendorAuditEvent.DoesNotExist:
        raise Http404 from None
    return FileResponse(backup, as_attachment=True, filename=name)
