"""The orders inbox: tabs by status, an order's page with the moves it allows, the picking slip.
Every move is one of ORDERS' transition services, which check and record it."""

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from billing.refund_selectors import order_refundable, order_refunds_shown
from marketplace.backoffice.access import BackofficeRequest, backoffice_view
from marketplace.backoffice.forms import ReasonForm
from marketplace.backoffice.selectors import (
    ORDER_TABS,
    order_of_merchant,
    order_tab_counts,
    orders_in_tab,
)
from marketplace.backoffice.views.base import backoffice_render
from marketplace.messaging.models import Conversation
from marketplace.orders.errors import OrdersError
from marketplace.orders.models import Order
from marketplace.orders.services.transitions import (
    order_accept,
    order_cancel,
    order_mark_collected,
    order_mark_delivered,
    order_mark_ready,
    order_merchant_actions,
    order_refuse,
)

ORDERS_PER_PAGE = 25
DEFAULT_TAB = "nouvelles"
TAB_LABELS = {
    "nouvelles": gettext_lazy("New"),
    "acceptees": gettext_lazy("Accepted"),
    "pretes": gettext_lazy("Ready"),
    "terminees": gettext_lazy("Done"),
    "annulees": gettext_lazy("Refused or cancelled"),
}
# The transition names of order_merchant_actions → (service, button label, needs a reason).
ACTIONS: dict[str, tuple[Callable[..., Order], object, bool]] = {
    "accept": (order_accept, gettext_lazy("Accept"), False),
    "mark_ready": (order_mark_ready, gettext_lazy("Mark as ready"), False),
    "mark_collected": (order_mark_collected, gettext_lazy("Mark as collected"), False),
    "mark_delivered": (order_mark_delivered, gettext_lazy("Mark as delivered"), False),
    "refuse": (order_refuse, gettext_lazy("Refuse"), True),
    "cancel": (order_cancel, gettext_lazy("Cancel"), True),
}


@require_GET
@backoffice_view()
def order_inbox(request: BackofficeRequest) -> HttpResponse:
    merchant_id = request.merchant.pk
    tab = request.GET.get("onglet", DEFAULT_TAB)
    if tab not in ORDER_TABS:
        tab = DEFAULT_TAB
    counts = order_tab_counts(merchant_id=merchant_id)
    page = Paginator(orders_in_tab(merchant_id=merchant_id, tab=tab), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return backoffice_render(
        request,
        "backoffice/orders/inbox.html",
        {
            "tab": tab,
            "tabs": [(slug, TAB_LABELS[slug], counts[slug]) for slug in ORDER_TABS],
            "page": page,
            "query_string": f"onglet={tab}",
        },
    )


def _order_or_404(request: BackofficeRequest, reference: str) -> Order:
    order = order_of_merchant(merchant_id=request.merchant.pk, reference=reference)
    if order is None:
        raise Http404
    return order


@require_GET
@backoffice_view()
def order_detail(request: BackofficeRequest, reference: str) -> HttpResponse:
    order = _order_or_404(request, reference)
    actions = [
        {"name": name, "label": ACTIONS[name][1], "needs_reason": ACTIONS[name][2]}
        for name in order_merchant_actions(order=order)
        if name in ACTIONS
    ]
    return backoffice_render(
        request,
        "backoffice/orders/detail.html",
        {
            "order": order,
            "actions": actions,
            "conversation": Conversation.objects.filter(order_id=order.pk).first(),
            "refundable": order_refundable(order),
            "refunds": order_refunds_shown(order=order),
        },
    )


@require_POST
@backoffice_view()
def order_action(request: BackofficeRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    order = (
        Order.objects.filter(merchant_id=request.merchant.pk, reference=reference)
        .only("pk", "reference")
        .first()
    )
    if order is None:
        raise Http404
    service, _label, needs_reason = ACTIONS[action]
    reason = ""
    if needs_reason:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Tell the customer why."))
            return redirect("backoffice:order_detail", reference=reference)
        reason = form.cleaned_data["reason"]
    try:
        service(order_id=order.pk, actor=request.user, reason=reason)
    except OrdersError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Order %(reference)s updated.") % {"reference": reference})
    return redirect("backoffice:order_detail", reference=reference)


@require_GET
@backoffice_view()
def picking_slip(request: BackofficeRequest, reference: str) -> HttpResponse:
    """A sheet to print and prepare the order with: lines with SKU and quantity, customer, slot."""
    return render(
        request,
        "backoffice/orders/slip.html",
        {"order": _order_or_404(request, reference), "merchant": request.merchant},
    )
