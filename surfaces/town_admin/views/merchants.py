"""The review of merchants' applications (under /gestion/commercants/)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.http import SignedInTownRequest
from marketplace.directory.errors import DirectoryError
from marketplace.directory.models import Merchant
from marketplace.directory.selectors import merchants_pending_review
from marketplace.directory.services.merchants import merchant_approve, merchant_reject
from surfaces.town_admin.access import town_admin_required
from surfaces.town_admin.forms.merchants import MerchantRejectForm

PENDING_PAGE_SIZE = 30


@town_admin_required
@require_GET
def merchants_pending(request: SignedInTownRequest) -> HttpResponse:
    page = Paginator(merchants_pending_review(), PENDING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "town_admin/merchants_pending.html",
        {"page": page, "merchants": page.object_list, "reject_form": MerchantRejectForm()},
    )


@town_admin_required
@require_POST
def merchant_approve_view(request: SignedInTownRequest, merchant_id: int) -> HttpResponse:
    try:
        merchant = merchant_approve(merchant_id=merchant_id, actor=request.user)
    except Merchant.DoesNotExist as missing:
        raise Http404 from missing
    except DirectoryError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is approved and now on the portal; its owner is told by e-mail.")
            % {"name": merchant.name},
        )
    return redirect("town_admin:merchants")


@town_admin_required
@require_POST
def merchant_reject_view(request: SignedInTownRequest, merchant_id: int) -> HttpResponse:
    form = MerchantRejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        merchant = merchant_reject(merchant_id=merchant_id, actor=request.user, reason=reason)
    except Merchant.DoesNotExist as missing:
        raise Http404 from missing
    except DirectoryError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is refused; its owner is told why by e-mail.") % {"name": merchant.name},
        )
    return redirect("town_admin:merchants")
