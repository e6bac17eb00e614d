"""The shop's team: owners invite and remove staff; staff see who they work with."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.accounts.views import AccountActivateView
from marketplace.backoffice.access import BackofficeRequest, backoffice_view
from marketplace.backoffice.forms import StaffInviteForm
from marketplace.backoffice.selectors import staff_of_merchant
from marketplace.backoffice.views.base import backoffice_render
from marketplace.directory.errors import StaffError, StaffInvalid
from marketplace.directory.services.staff import staff_invite, staff_remove


@require_http_methods(["GET", "POST"])
@backoffice_view(owner_only=True)
def staff_list(request: BackofficeRequest) -> HttpResponse:
    merchant = request.merchant
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_invite(actor=request.user, merchant_id=merchant.pk, **form.cleaned_data)
        except StaffError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("%(email)s is on the staff; an invitation is on its way.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("backoffice:staff")
    return backoffice_render(
        request,
        "backoffice/staff.html",
        {"members": staff_of_merchant(merchant_id=merchant.pk), "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@backoffice_view(owner_only=True)
def staff_member_remove(request: BackofficeRequest, pk: int) -> HttpResponse:
    try:
        staff_remove(actor=request.user, merchant_id=request.merchant.pk, member_id=pk)
    except StaffInvalid:
        raise Http404 from None
    messages.success(request, _("This person no longer has access to the shop."))
    return redirect("backoffice:staff")


class StaffActivateView(AccountActivateView):
    """The invitation's one-time link: choose a password, then straight to the back office."""

    success_url = reverse_lazy("backoffice:dashboard")
