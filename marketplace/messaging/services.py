"""Messages between shoppers and shops: open a conversation, post, mark as read.

A new message e-mails the other side through Celery once the transaction has committed; the
task sends it once, however often it is retried.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.celery import task_after_commit
from marketplace.directory.models import MerchantMember
from marketplace.directory.selectors import merchants_visible
from marketplace.messaging.errors import ConversationNotAllowed, MessageInvalid
from marketplace.messaging.models import Conversation, Message, Side
from marketplace.messaging.selectors import conversation_existing, conversation_lookup
from marketplace.orders.models import Order

MESSAGE_MAX_LENGTH = 4000


def _clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise MessageInvalid(_("Write a message before sending it."))
    if len(text) > MESSAGE_MAX_LENGTH:
        raise MessageInvalid(
            _("A message is at most %(max)d characters long.") % {"max": MESSAGE_MAX_LENGTH}
        )
    return text


def _is_member(*, user: User, merchant_id: int) -> bool:
    return MerchantMember.objects.filter(merchant_id=merchant_id, user_id=user.pk).exists()


def _conversation_get_or_create(
    *, merchant_id: int, shopper_id: int, order_id: int | None
) -> Conversation:
    """The one conversation for that order (or the general one for that shopper and shop).

    Two first messages sent at once both reach the unique constraint; the loser reads the row.
    """
    existing = conversation_existing(
        merchant_id=merchant_id, shopper_id=shopper_id, order_id=order_id
    )
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                merchant_id=merchant_id, shopper_id=shopper_id, order_id=order_id
            )
    except IntegrityError:
        lookup = conversation_lookup(
            merchant_id=merchant_id, shopper_id=shopper_id, order_id=order_id
        )
        return Conversation.objects.get(**lookup)


def conversation_start_by_shopper(
    *, shopper: User, merchant_id: int, order_id: int | None = None, body: str
) -> Message:
    """A shopper writes to a shop, about one of their orders there or in general.

    The shop must be visible to the public; the order must be the shopper's, at that shop.
    Writing again reuses the same conversation.
    """
    text = _clean_body(body)
    if not shopper.is_authenticated:
        raise ConversationNotAllowed(_("Sign in to write to a shop."))
    if not merchants_visible().filter(pk=merchant_id).exists():
        raise ConversationNotAllowed(_("This shop cannot be contacted."))
    if (
        order_id is not None
        and not Order.objects.filter(
            pk=order_id, merchant_id=merchant_id, customer_id=shopper.pk
        ).exists()
    ):
        raise ConversationNotAllowed(_("This order is not one of yours."))
    with transaction.atomic(durable=True):
        conversation = _conversation_get_or_create(
            merchant_id=merchant_id, shopper_id=shopper.pk, order_id=order_id
        )
        return message_post(
            conversation_id=conversation.pk, author=shopper, side=Side.SHOPPER, body=text
        )


def conversation_start_by_merchant(*, actor: User, order_id: int, body: str) -> Message:
    """A member of the shop writes to the customer of one of its orders.

    Only orders placed from a shopper account can be discussed here: a guest has no inbox, the
    shop contacts them by the e-mail or phone of the order.
    """
    text = _clean_body(body)
    order = Order.objects.filter(pk=order_id).only("pk", "merchant_id", "customer_id").first()
    if order is None or not _is_member(user=actor, merchant_id=order.merchant_id):
        raise ConversationNotAllowed(_("You do not run the shop of this order."))
    if order.customer_id is None:
        raise ConversationNotAllowed(
            _("This customer ordered without an account: contact them by e-mail or phone.")
        )
    with transaction.atomic(durable=True):
        conversation = _conversation_get_or_create(
            merchant_id=order.merchant_id, shopper_id=order.customer_id, order_id=order.pk
        )
        return message_post(
            conversation_id=conversation.pk, author=actor, side=Side.MERCHANT, body=text
        )


def message_post(*, conversation_id: int, author: User, side: str, body: str) -> Message:
    """Add a message to a conversation, as the shopper or as a member of the shop.

    The other side's unread counter goes up by one, the writer's is reset (they just read the
    thread); the other side is e-mailed after commit.
    """
    from marketplace.messaging.tasks import message_notify

    text = _clean_body(body)
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        raise ConversationNotAllowed(_("This conversation does not exist."))
    if side == Side.SHOPPER:
        allowed = author.is_authenticated and conversation.shopper_id == author.pk
    elif side == Side.MERCHANT:
        allowed = author.is_authenticated and _is_member(
            user=author, merchant_id=conversation.merchant_id
        )
    else:
        allowed = False
    if not allowed:
        raise ConversationNotAllowed(_("You cannot write in this conversation."))
    now = timezone.now()
    counters = (
        {"merchant_unread": F("merchant_unread") + 1, "shopper_unread": 0}
        if side == Side.SHOPPER
        else {"shopper_unread": F("shopper_unread") + 1, "merchant_unread": 0}
    )
    with transaction.atomic():
        message = Message.objects.create(
            conversation_id=conversation.pk, author=author, side=side, body=text
        )
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now, **counters)
    task_after_commit(message_notify, message.pk)
    return message


def conversation_mark_read(*, conversation_id: int, reader: User, side: str) -> None:
    """The reader's side has seen every message: its unread counter goes back to zero."""
    conversations = Conversation.objects.filter(pk=conversation_id)
    if side == Side.SHOPPER:
        conversations.filter(shopper_id=reader.pk, shopper_unread__gt=0).update(shopper_unread=0)
    elif side == Side.MERCHANT:
        conversations.filter(merchant__members__user_id=reader.pk, merchant_unread__gt=0).update(
            merchant_unread=0
        )
