"""The shopper's side of messaging, under /compte/messages/ (signed-in shoppers only)."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from comptoir.http import SignedInTownRequest
from marketplace.directory.models import Merchant
from marketplace.directory.selectors import merchants_visible
from marketplace.messaging.errors import MessagingError
from marketplace.messaging.forms import MessageForm
from marketplace.messaging.models import Conversation, Side
from marketplace.messaging.selectors import (
    conversation_existing,
    conversation_messages,
    conversation_of_shopper,
    conversations_of_shopper,
)
from marketplace.messaging.services import (
    conversation_mark_read,
    conversation_start_by_shopper,
    message_post,
)
from marketplace.orders.models import Order

CONVERSATIONS_PER_PAGE = 20


@login_required
def conversation_list(request: SignedInTownRequest) -> HttpResponse:
    page = Paginator(conversations_of_shopper(shopper=request.user), CONVERSATIONS_PER_PAGE)
    return render(
        request,
        "messaging/conversation_list.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


def thread_respond(
    request: SignedInTownRequest,
    *,
    conversation: Conversation,
    viewer_side: str,
    post_url: str,
    page_template: str,
    render_page: Callable[..., HttpResponse] = render,
) -> HttpResponse:
    """One side's thread: posts its message or marks the thread read, then shows it.

    Without htmx a good post redirects (no resubmission on reload); with htmx the fragment comes
    back with the form emptied, or with its errors. `render_page` lets the back office add its
    own frame to the context.
    """
    form = MessageForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                message_post(
                    conversation_id=conversation.pk,
                    author=request.user,
                    side=viewer_side,
                    body=form.cleaned_data["body"],
                )
            except MessagingError as error:
                form.add_error("body", str(error))
            else:
                if not request.htmx:
                    return redirect(post_url)
                form = MessageForm()
    else:
        unread = (
            conversation.merchant_unread
            if viewer_side == Side.MERCHANT
            else conversation.shopper_unread
        )
        if unread:
            conversation_mark_read(
                conversation_id=conversation.pk, reader=request.user, side=viewer_side
            )
    context = {
        "conversation": conversation,
        "thread_messages": conversation_messages(conversation=conversation),
        "form": form,
        "viewer_side": viewer_side,
        "post_url": post_url,
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the fragment carries its own errors.
        return render_page(request, "messaging/_thread.html", context)
    return render_page(request, page_template, context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def conversation_thread(request: SignedInTownRequest, pk: int) -> HttpResponse:
    conversation = conversation_of_shopper(shopper=request.user, conversation_id=pk)
    if conversation is None:
        raise Http404
    return thread_respond(
        request,
        conversation=conversation,
        viewer_side=Side.SHOPPER,
        post_url=reverse("messaging:thread", kwargs={"pk": pk}),
        page_template="messaging/thread.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_start(request: SignedInTownRequest) -> HttpResponse:
    """Write to a shop (`?commerce=<slug>`) or about one of your orders (`?commande=<ref>`).

    When that conversation already exists, the shopper goes on in it.
    """
    reference = request.GET.get("commande", "")
    slug = request.GET.get("commerce", "")
    order: Order | None = None
    merchant: Merchant | None
    if reference:
        order = (
            Order.objects.filter(reference=reference, customer_id=request.user.pk)
            .select_related("merchant")
            .first()
        )
        if order is None:
            raise Http404
        merchant = order.merchant
    elif slug:
        merchant = merchants_visible().filter(slug=slug).first()
        if merchant is None:
            raise Http404
    else:
        raise Http404
    existing = conversation_existing(
        merchant_id=merchant.pk, shopper_id=request.user.pk, order_id=order.pk if order else None
    )
    if existing is not None:
        return redirect("messaging:thread", pk=existing.pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = conversation_start_by_shopper(
                shopper=request.user,
                merchant_id=merchant.pk,
                order_id=order.pk if order else None,
                body=form.cleaned_data["body"],
            )
        except MessagingError as error:
            form.add_error("body", str(error))
        else:
            return redirect("messaging:thread", pk=message.conversation_id)
    return render(
        request,
        "messaging/conversation_start.html",
        {"form": form, "merchant": merchant, "order": order},
        status=400 if form.errors else 200,
    )
