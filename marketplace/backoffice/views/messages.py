"""The shop's side of messaging: its inbox, a thread, and writing to an order's customer."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from marketplace.backoffice.access import BackofficeRequest, backoffice_view
from marketplace.backoffice.views.base import backoffice_render
from marketplace.messaging.errors import MessagingError
from marketplace.messaging.forms import MessageForm
from marketplace.messaging.models import Side
from marketplace.messaging.selectors import (
    conversation_existing,
    conversation_of_merchant,
    conversations_of_merchant,
)
from marketplace.messaging.services import conversation_start_by_merchant
from marketplace.messaging.views import thread_respond
from marketplace.orders.models import Order

CONVERSATIONS_PER_PAGE = 25


@require_GET
@backoffice_view()
def message_list(request: BackofficeRequest) -> HttpResponse:
    conversations = conversations_of_merchant(merchant_id=request.merchant.pk)
    page = Paginator(conversations, CONVERSATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return backoffice_render(request, "backoffice/messages/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@backoffice_view()
def message_thread(request: BackofficeRequest, pk: int) -> HttpResponse:
    merchant = request.merchant
    conversation = conversation_of_merchant(merchant_id=merchant.pk, conversation_id=pk)
    if conversation is None:
        raise Http404
    return thread_respond(
        request,
        conversation=conversation,
        viewer_side=Side.MERCHANT,
        post_url=reverse("backoffice:message_thread", kwargs={"pk": pk}),
        page_template="backoffice/messages/thread.html",
        render_page=backoffice_render,
    )


@require_http_methods(["GET", "POST"])
@backoffice_view()
def message_start(request: BackofficeRequest) -> HttpResponse:
    """Write to the customer of one of the shop's orders (`?commande=<reference>`)."""
    merchant = request.merchant
    order = (
        Order.objects.filter(merchant_id=merchant.pk, reference=request.GET.get("commande", ""))
        .select_related("checkout")
        .first()
    )
    if order is None:
        raise Http404
    existing = conversation_existing(
        merchant_id=merchant.pk, shopper_id=order.customer_id, order_id=order.pk
    )
    if existing is not None:
        return redirect("backoffice:message_thread", pk=existing.pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = conversation_start_by_merchant(
                actor=request.user, order_id=order.pk, body=form.cleaned_data["body"]
            )
        except MessagingError as error:
            form.add_error("body", str(error))
        else:
            return redirect("backoffice:message_thread", pk=message.conversation_id)
    return backoffice_render(
        request,
        "backoffice/messages/start.html",
        {"form": form, "order": order},
        status=400 if form.errors else 200,
    )
