"""Card refunds seen from the town: the latest refunds, the reversals Stripe refused (with its
message and a button to try again), and the refund of any order of the town."""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.errors import BillingError
from billing.forms import RefundForm, refund_form_submit
from billing.refund_selectors import (
    order_refund_page,
    order_refundable,
    town_order_for_refund,
    town_refunds_recent,
    town_refunds_stuck,
)
from billing.services.order_refunds import order_refund_retry
from comptoir.accounts.models import User
from comptoir.http import SignedInTownRequest
from surfaces.town_admin.access import town_admin_required


@town_admin_required
@require_GET
def refunds(request: SignedInTownRequest) -> HttpResponse:
    reference = request.GET.get("commande", "").strip().upper()
    if reference:
        return redirect("town_admin:order_refund", reference=reference)
    return render(
        request,
        "town_admin/refunds.html",
        {"refunds": town_refunds_recent(), "failed": town_refunds_stuck()},
    )


@town_admin_required
@require_POST
def refund_retry(request: SignedInTownRequest, refund_id: int) -> HttpResponse:
    try:
        refund = order_refund_retry(refund_id=refund_id, actor=cast(User, request.user))
    except BillingError as error:
        messages.error(request, str(error))
    else:
        if refund.reversal_pending:
            messages.error(
                request,
                _("Stripe refused the reversal again: %(error)s")
                % {"error": refund.reversal_error},
            )
        else:
            messages.success(request, _("The refund is complete at Stripe."))
    return redirect("town_admin:refunds")


@town_admin_required
@require_http_methods(["GET", "POST"])
def order_refund_view(request: SignedInTownRequest, reference: str) -> HttpResponse:
    order = town_order_for_refund(reference=reference)
    if order is None:
        raise Http404
    page = order_refund_page(order=order)
    form = RefundForm(request.POST or None, lines=page.lines)
    status = 200
    if request.method == "POST":
        refund = refund_form_submit(
            request, form, order=order, actor=cast(User, request.user), as_town_admin=True
        )
        if refund is not None:
            return redirect("town_admin:order_refund", reference=reference)
        status = 400
    return render(
        request,
        "town_admin/order_refund.html",
        {
            "order": order,
            "form": form,
            "page": page,
            "refundable": order_refundable(order),
            "action_url": reverse("town_admin:order_refund", kwargs={"reference": reference}),
        },
        status=status,
    )
