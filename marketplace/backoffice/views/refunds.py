"""A card-paid order's refund by its shop: chosen items, or the whole order."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from billing.forms import RefundForm, refund_form_submit
from billing.refund_selectors import order_refund_page, order_refundable
from marketplace.backoffice.access import BackofficeRequest, backoffice_view
from marketplace.backoffice.selectors import order_of_merchant
from marketplace.backoffice.views.base import backoffice_render


@require_http_methods(["GET", "POST"])
@backoffice_view()
def order_refund_view(request: BackofficeRequest, reference: str) -> HttpResponse:
    # Only the shop's own orders: another shop's reference is not found.
    order = order_of_merchant(merchant_id=request.merchant.pk, reference=reference)
    if order is None:
        raise Http404
    page = order_refund_page(order=order)
    form = RefundForm(request.POST or None, lines=page.lines)
    status = 200
    if request.method == "POST":
        if not order_refundable(order):
            raise Http404
        refund = refund_form_submit(request, form, order=order, actor=request.user)
        if refund is not None:
            return redirect("backoffice:order_detail", reference=reference)
        status = 400
    return backoffice_render(
        request,
        "backoffice/orders/refund.html",
        {
            "order": order,
            "form": form,
            "page": page,
            "refundable": order_refundable(order),
            "action_url": reverse("backoffice:order_refund", kwargs={"reference": reference}),
        },
        status=status,
    )
