import pytest
from django.core import mail

from comptoir.send_once.models import SentOnce
from marketplace.messaging.errors import ConversationNotAllowed, MessageInvalid
from marketplace.messaging.models import Conversation, Message, Side
from marketplace.messaging.selectors import (
    conversation_existing,
    merchant_unread_total,
    shopper_unread_total,
)
from marketplace.messaging.services import (
    conversation_mark_read,
    conversation_start_by_merchant,
    conversation_start_by_shopper,
    message_post,
)
from marketplace.messaging.tasks import message_notify
from tests.conftest import inside, user_create
from tests.marketplace.backoffice.builders import order_add, shop_create


def test_shopper_starts_a_general_conversation_and_the_shop_is_emailed(
    town_a, shop_a, owner_a, shopper_a, django_capture_on_commit_callbacks
):
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        message = conversation_start_by_shopper(
            shopper=shopper_a, merchant_id=shop_a.pk, body="  Avez-vous des pivoines ?  "
        )

    with inside(town_a):
        conversation = Conversation.objects.get()
        assert message.body == "Avez-vous des pivoines ?"
        assert message.side == Side.SHOPPER
        assert (conversation.merchant_id, conversation.shopper_id, conversation.order_id) == (
            shop_a.pk,
            shopper_a.pk,
            None,
        )
        assert (conversation.merchant_unread, conversation.shopper_unread) == (1, 0)
        assert SentOnce.objects.filter(purpose="messaging.message", key=str(message.pk)).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@alpha.test"]
    assert "Avez-vous des pivoines ?" in mail.outbox[0].body
    assert f"/boutique/messages/{conversation.pk}/?boutique={shop_a.slug}" in mail.outbox[0].body


def test_writing_again_reuses_the_general_conversation(town_a, shop_a, shopper_a):
    with inside(town_a):
        first = conversation_start_by_shopper(shopper=shopper_a, merchant_id=shop_a.pk, body="Un")
        second = conversation_start_by_shopper(
            shopper=shopper_a, merchant_id=shop_a.pk, body="Deux"
        )

        assert first.conversation_id == second.conversation_id
        assert Conversation.objects.get().merchant_unread == 2


def test_shop_email_goes_to_its_public_address_when_it_has_one(
    town_a, shopper_a, django_capture_on_commit_callbacks
):
    shop = shop_create(town_a, owner="patron@alpha.test", email="contact@fleurs.test")
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        conversation_start_by_shopper(shopper=shopper_a, merchant_id=shop.pk, body="Bonjour")

    assert [message.to for message in mail.outbox] == [["contact@fleurs.test"]]


def test_merchant_answer_emails_the_shopper_and_flips_the_counters(
    town_a, shop_a, owner_a, shopper_a, django_capture_on_commit_callbacks
):
    with inside(town_a):
        first = conversation_start_by_shopper(shopper=shopper_a, merchant_id=shop_a.pk, body="Q")
    mail.outbox.clear()

    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        message_post(
            conversation_id=first.conversation_id, author=owner_a, side=Side.MERCHANT, body="R"
        )

    with inside(town_a):
        conversation = Conversation.objects.get()
        assert (conversation.merchant_unread, conversation.shopper_unread) == (0, 1)
        assert shopper_unread_total(shopper=shopper_a) == 1
        assert merchant_unread_total(merchant_id=shop_a.pk) == 0
    assert mail.outbox[0].to == ["camille@alpha.test"]
    assert f"/compte/messages/{conversation.pk}/" in mail.outbox[0].body


def test_notification_task_sends_once_however_often_it_runs(town_a, shop_a, owner_a, shopper_a):
    with inside(town_a):
        message = conversation_start_by_shopper(shopper=shopper_a, merchant_id=shop_a.pk, body="Q")
        message_notify.apply(args=[message.pk])
        message_notify.apply(args=[message.pk])

    assert len(mail.outbox) == 1


def test_mark_read_resets_only_the_readers_side(town_a, shop_a, owner_a, shopper_a):
    with inside(town_a):
        message = conversation_start_by_shopper(shopper=shopper_a, merchant_id=shop_a.pk, body="Q")
        message_post(
            conversation_id=message.conversation_id, author=owner_a, side=Side.MERCHANT, body="R"
        )
        message_post(
            conversation_id=message.conversation_id, author=shopper_a, side=Side.SHOPPER, body="S"
        )
        conversation_mark_read(
            conversation_id=message.conversation_id, reader=owner_a, side=Side.MERCHANT
        )

        conversation = Conversation.objects.get()
        assert (conversation.merchant_unread, conversation.shopper_unread) == (0, 0)


def test_shopper_writes_about_their_own_order(town_a, shop_a, shopper_a):
    order = order_add(town_a, shop_a, customer=shopper_a)
    with inside(town_a):
        message = conversation_start_by_shopper(
            shopper=shopper_a, merchant_id=shop_a.pk, order_id=order.pk, body="Retard ?"
        )

        assert Conversation.objects.get(pk=message.conversation_id).order_id == order.pk


def test_the_existing_conversation_is_the_orders_own_or_the_general_one(town_a, shop_a, shopper_a):
    order = order_add(town_a, shop_a, customer=shopper_a)
    with inside(town_a):
        about_order = conversation_start_by_shopper(
            shopper=shopper_a, merchant_id=shop_a.pk, order_id=order.pk, body="Retard ?"
        ).conversation
        assert conversation_existing(
            merchant_id=shop_a.pk, shopper_id=shopper_a.pk, order_id=None
        ) is None  # fmt: skip
        general = conversation_start_by_shopper(
            shopper=shopper_a, merchant_id=shop_a.pk, body="Bonjour"
        ).conversation

        assert conversation_existing(
            merchant_id=shop_a.pk, shopper_id=shopper_a.pk, order_id=order.pk
        ) == about_order  # fmt: skip
        assert conversation_existing(
            merchant_id=shop_a.pk, shopper_id=shopper_a.pk, order_id=None
        ) == general  # fmt: skip
        assert general != about_order


@pytest.mark.parametrize("body", ["", "   ", "x" * 4001])
def test_empty_or_overlong_message_is_refused_and_nothing_is_created(
    town_a, shop_a, shopper_a, body
):
    with inside(town_a):
        with pytest.raises(MessageInvalid):
            conversation_start_by_shopper(shopper=shopper_a, merchant_id=shop_a.pk, body=body)

        assert not Conversation.objects.exists()
        assert not Message.objects.exists()


def test_shopper_cannot_write_about_someone_elses_order(town_a, shop_a, shopper_a):
    other = user_create(town_a, "other@alpha.test")
    order = order_add(town_a, shop_a, customer=other)
    with inside(town_a):
        with pytest.raises(ConversationNotAllowed):
            conversation_start_by_shopper(
                shopper=shopper_a, merchant_id=shop_a.pk, order_id=order.pk, body="Hello"
            )

        assert not Conversation.objects.exists()


def test_shopper_cannot_write_to_a_shop_not_yet_approved(town_a, shopper_a):
    pending = shop_create(town_a, status="pending")
    with inside(town_a):
        with pytest.raises(ConversationNotAllowed):
            conversation_start_by_shopper(shopper=shopper_a, merchant_id=pending.pk, body="Hi")

        assert not Conversation.objects.exists()


def test_only_the_conversations_shopper_and_the_shops_members_may_post(
    town_a, shop_a, owner_a, shopper_a
):
    stranger = user_create(town_a, "stranger@alpha.test")
    other_shop_owner = user_create(town_a, "rival@alpha.test")
    shop_create(town_a, owner=None)
    with inside(town_a):
        message = conversation_start_by_shopper(shopper=shopper_a, merchant_id=shop_a.pk, body="Q")
        for author, side in (
            (stranger, Side.SHOPPER),
            (stranger, Side.MERCHANT),
            (other_shop_owner, Side.MERCHANT),
            (owner_a, Side.SHOPPER),
            (shopper_a, Side.MERCHANT),
        ):
            with pytest.raises(ConversationNotAllowed):
                message_post(
                    conversation_id=message.conversation_id, author=author, side=side, body="X"
                )

        assert Message.objects.count() == 1


def test_merchant_writes_to_the_customer_of_an_order(town_a, shop_a, owner_a, shopper_a):
    order = order_add(town_a, shop_a, customer=shopper_a)
    with inside(town_a):
        message = conversation_start_by_merchant(actor=owner_a, order_id=order.pk, body="Prête")

        conversation = Conversation.objects.get(pk=message.conversation_id)
        assert (conversation.order_id, conversation.shopper_id) == (order.pk, shopper_a.pk)
        assert conversation.shopper_unread == 1


def test_merchant_cannot_message_a_guest_order_nor_another_shops_order(
    town_a, shop_a, owner_a, shopper_a
):
    guest_order = order_add(town_a, shop_a, customer=None)
    other_shop = shop_create(town_a)
    foreign_order = order_add(town_a, other_shop, customer=shopper_a)
    with inside(town_a):
        for order in (guest_order, foreign_order):
            with pytest.raises(ConversationNotAllowed):
                conversation_start_by_merchant(actor=owner_a, order_id=order.pk, body="Hello")

        assert not Conversation.objects.exists()
