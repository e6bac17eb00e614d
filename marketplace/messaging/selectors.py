"""Reads of messaging: inboxes, threads and unread counts, each in a fixed number of queries."""

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from comptoir.accounts.models import User
from marketplace.directory.models import Merchant
from marketplace.directory.selectors import merchant_owner_emails
from marketplace.messaging.models import Conversation, Message

# A thread shows its latest messages; older ones are rarely reread and would make the page heavy.
THREAD_MESSAGES_SHOWN = 100


def _with_preview(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    latest = Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-pk")
    return conversations.annotate(
        last_body=Subquery(latest.values("body")[:1]),
        last_side=Subquery(latest.values("side")[:1]),
    )


def conversations_of_shopper(*, shopper: User) -> QuerySet[Conversation]:
    """The shopper's conversations, latest activity first, with the shop and the order."""
    return _with_preview(
        Conversation.objects.filter(shopper_id=shopper.pk)
        .select_related("merchant", "order")
        .order_by("-last_message_at", "-pk")
    )


def conversations_of_merchant(*, merchant_id: int) -> QuerySet[Conversation]:
    """The shop's conversations, latest activity first, with the shopper and the order."""
    return _with_preview(
        Conversation.objects.filter(merchant_id=merchant_id)
        .select_related("shopper", "order")
        .order_by("-last_message_at", "-pk")
    )


def conversation_of_shopper(*, shopper: User, conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.filter(pk=conversation_id, shopper_id=shopper.pk)
        .select_related("merchant", "order")
        .first()
    )


def conversation_of_merchant(*, merchant_id: int, conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.filter(pk=conversation_id, merchant_id=merchant_id)
        .select_related("shopper", "order")
        .first()
    )


def conversation_lookup(
    *, merchant_id: int, shopper_id: int | None, order_id: int | None
) -> dict[str, object]:
    """How the one conversation is found: the order's own, or the general one between that
    shopper and that shop (order_id None)."""
    if order_id is not None:
        return {"order_id": order_id}
    return {"merchant_id": merchant_id, "shopper_id": shopper_id, "order__isnull": True}


def conversation_existing(
    *, merchant_id: int, shopper_id: int | None, order_id: int | None
) -> Conversation | None:
    """The conversation a first message would start, when it exists already."""
    lookup = conversation_lookup(merchant_id=merchant_id, shopper_id=shopper_id, order_id=order_id)
    return Conversation.objects.filter(**lookup).first()


def conversation_messages(*, conversation: Conversation) -> list[Message]:
    """The thread's latest messages, oldest first, with their authors."""
    latest = list(
        Message.objects.filter(conversation_id=conversation.pk)
        .select_related("author")
        .order_by("-created_at", "-pk")[:THREAD_MESSAGES_SHOWN]
    )
    latest.reverse()
    return latest


def shopper_unread_total(*, shopper: User) -> int:
    return Conversation.objects.filter(shopper_id=shopper.pk).aggregate(
        total=Coalesce(Sum("shopper_unread"), 0)
    )["total"]


def merchant_unread_total(*, merchant_id: int) -> int:
    return Conversation.objects.filter(merchant_id=merchant_id).aggregate(
        total=Coalesce(Sum("merchant_unread"), 0)
    )["total"]


def merchant_contact_emails(*, merchant: Merchant) -> list[str]:
    """Where a shop's notifications go: its public e-mail, else its owners' addresses."""
    if merchant.email:
        return [merchant.email]
    return merchant_owner_emails(merchant_id=merchant.pk)
