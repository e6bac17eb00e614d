import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from marketplace.catalogue.models import StockMovement, Variant
from marketplace.orders.errors import OrderActionForbidden, OrderNotFound, OrderTransitionRefused
from marketplace.orders.models import Order, OrderEvent
from marketplace.orders.services.transitions import (
    order_accept,
    order_cancel,
    order_mark_collected,
    order_mark_delivered,
    order_mark_ready,
    order_merchant_actions,
    order_refuse,
)
from marketplace.orders.sms import MemorySmsBackend
from tests.conftest import inside, user_create
from tests.marketplace.orders.factories import (
    CARD,
    OffsiteProvider,
    member_add,
    order_place,
    provider_registered,
    shop_create,
    variant_create,
)

Status = Order.Status


@pytest.fixture
def shop(town_a):
    return shop_create(town_a, local_delivery=True)


@pytest.fixture
def member(town_a, shop):
    return member_add(town_a, shop, "owner@alpha.test")


@pytest.fixture
def variant(town_a, shop):
    return variant_create(town_a, shop, stock=10)


@pytest.fixture
def order(town_a, variant) -> Order:
    checkout = order_place(town_a, [(variant, 3)])
    with inside(town_a):
        return checkout.orders.get()


def _state(order: Order) -> tuple[str, str, int, int]:
    order.refresh_from_db()
    variant_id = order.lines.get().variant_id
    assert variant_id is not None
    return (
        order.status,
        order.status_reason,
        OrderEvent.objects.filter(order=order).count(),
        Variant.objects.get(pk=variant_id).stock,
    )


def test_the_happy_path_placed_accepted_ready_collected(town_a, order, member):
    with inside(town_a):
        assert order_merchant_actions(order=order) == ["accept", "refuse", "cancel"]
        order_accept(order_id=order.pk, actor=member)
        order_mark_ready(order_id=order.pk, actor=member)
        done = order_mark_collected(order_id=order.pk, actor=member)

        assert done.status == Status.COLLECTED
        assert done.payment_status == Order.PaymentStatus.PAID
        assert list(
            OrderEvent.objects.filter(order=order).values_list("from_status", "to_status", "actor")
        ) == [
            ("pending", "placed", None),
            ("placed", "accepted", member.pk),
            ("accepted", "ready", member.pk),
            ("ready", "collected", member.pk),
        ]
        assert order_merchant_actions(order=done) == []


def test_a_delivery_is_delivered_not_collected(town_a, variant, member):
    checkout = order_place(town_a, [(variant, 1)])
    with inside(town_a):
        order = checkout.orders.get()
        Order.objects.filter(pk=order.pk).update(fulfilment=Order.Fulfilment.LOCAL_DELIVERY)
        order_accept(order_id=order.pk, actor=member)
        order_mark_ready(order_id=order.pk, actor=member)
        order.refresh_from_db()
        assert order_merchant_actions(order=order) == ["mark_delivered", "cancel"]

        with pytest.raises(OrderTransitionRefused):
            order_mark_collected(order_id=order.pk, actor=member)
        assert order_mark_delivered(order_id=order.pk, actor=member).status == Status.DELIVERED


@pytest.mark.parametrize(
    ("steps", "transition"),
    [
        ([], order_mark_ready),
        ([], order_mark_collected),
        (["accept"], order_accept),
        (["accept"], order_mark_collected),
        (["accept", "ready"], order_refuse),
        (["accept", "ready", "collected"], order_cancel),
    ],
)
def test_an_invalid_transition_is_refused_and_changes_nothing(
    town_a, order, member, steps, transition
):
    moves = {"accept": order_accept, "ready": order_mark_ready, "collected": order_mark_collected}
    with inside(town_a):
        for step in steps:
            moves[step](order_id=order.pk, actor=member)
        before = _state(order)

        with pytest.raises(OrderTransitionRefused) as refused:
            transition(order_id=order.pk, actor=member, reason="Parce que")

        assert "cannot be changed that way" in refused.value.message
        assert _state(order) == before


def test_refusing_needs_a_reason_and_gives_the_stock_back(town_a, order, member):
    with inside(town_a):
        with pytest.raises(OrderTransitionRefused) as refused:
            order_refuse(order_id=order.pk, actor=member, reason="  ")
        assert refused.value.message == "Say why, so the shopper understands."
        assert _state(order) == ("placed", "", 1, 7)

        order_refuse(order_id=order.pk, actor=member, reason="Rupture chez le fournisseur")

        assert _state(order) == ("refused", "Rupture chez le fournisseur", 2, 10)
        assert list(
            StockMovement.objects.filter(reason="cancellation").values_list("delta", "reference")
        ) == [(3, order.reference)]


def test_the_merchant_cancels_a_ready_order_with_a_reason(town_a, order, member):
    with inside(town_a):
        order_accept(order_id=order.pk, actor=member)
        order_mark_ready(order_id=order.pk, actor=member)
        with pytest.raises(OrderTransitionRefused):
            order_cancel(order_id=order.pk, actor=member)

        order_cancel(order_id=order.pk, actor=member, reason="Client injoignable")

        assert _state(order) == ("cancelled", "Client injoignable", 4, 10)


def test_the_shopper_cancels_while_placed_without_a_reason(town_a, variant):
    shopper = user_create(town_a, "camille@alpha.test")
    checkout = order_place(town_a, [(variant, 2)], customer=shopper)
    with inside(town_a):
        order = checkout.orders.get()
        order_cancel(order_id=order.pk, actor=shopper)
        assert _state(order) == ("cancelled", "", 2, 10)


def test_a_guest_cancels_with_the_tracking_token_only(town_a, order):
    with inside(town_a):
        with pytest.raises(OrderActionForbidden):
            order_cancel(order_id=order.pk, actor=AnonymousUser(), tracking_token="wrong")
        assert _state(order) == ("placed", "", 1, 7)

        order_cancel(order_id=order.pk, actor=AnonymousUser(), tracking_token=order.tracking_token)
        assert _state(order) == ("cancelled", "", 2, 10)


def test_the_shopper_cannot_cancel_once_accepted(town_a, order, member):
    with inside(town_a):
        order_accept(order_id=order.pk, actor=member)
        with pytest.raises(OrderTransitionRefused) as refused:
            order_cancel(order_id=order.pk, actor=None, tracking_token=order.tracking_token)
        assert (
            refused.value.message
            == "The shop has already accepted this order: contact it to cancel."
        )
        assert _state(order) == ("accepted", "", 2, 7)


@pytest.mark.parametrize("transition", [order_accept, order_refuse, order_mark_ready, order_cancel])
def test_someone_outside_the_shop_cannot_act(town_a, order, transition):
    other_shop = shop_create(town_a, name="Concurrent")
    outsider = member_add(town_a, other_shop, "other@alpha.test")
    with inside(town_a):
        for actor in (outsider, AnonymousUser(), None):
            with pytest.raises(OrderActionForbidden):
                transition(order_id=order.pk, actor=actor, reason="Je veux")
        assert _state(order) == ("placed", "", 1, 7)


def test_an_unknown_order_is_not_found(town_a, member):
    with inside(town_a), pytest.raises(OrderNotFound):
        order_accept(order_id=987_654, actor=member)


def test_town_b_member_cannot_reach_town_a_orders(town_a, town_b, order):
    # The same order id in town B's schema names nothing.
    shop_b = shop_create(town_b, name="Bazar de Beta")
    member_b = member_add(town_b, shop_b, "owner@beta.test")
    with inside(town_b), pytest.raises(OrderNotFound):
        order_accept(order_id=order.pk, actor=member_b)
    with inside(town_a):
        assert _state(order) == ("placed", "", 1, 7)


@override_settings(SMS_BACKEND="marketplace.orders.sms.MemorySmsBackend")
def test_each_status_change_e_mails_and_texts_the_shopper_once(
    town_a, order, member, mailoutbox, django_capture_on_commit_callbacks
):
    MemorySmsBackend.outbox.clear()
    with inside(town_a):
        with django_capture_on_commit_callbacks(execute=True):
            order_accept(order_id=order.pk, actor=member)
        with django_capture_on_commit_callbacks(execute=True):
            order_mark_ready(order_id=order.pk, actor=member)

    assert [mail.to for mail in mailoutbox] == [["camille@example.org"]] * 2
    assert "accepted" in mailoutbox[0].subject.lower()
    assert "is ready: you can collect it at Épicerie du Lac" in mailoutbox[1].body
    assert f"/suivi/{order.tracking_token}/" in mailoutbox[1].body
    assert [to for to, _message in MemorySmsBackend.outbox] == ["+33612345678"] * 2
    assert order.reference in MemorySmsBackend.outbox[1][1]


def test_a_shopper_cancel_tells_the_shops_team(
    town_a, order, member, mailoutbox, django_capture_on_commit_callbacks
):
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=order.pk, actor=None, tracking_token=order.tracking_token)

    assert sorted(tuple(mail.to) for mail in mailoutbox) == [
        ("camille@example.org",),
        ("owner@alpha.test",),
    ]
    shop_mail = next(mail for mail in mailoutbox if mail.to == ["owner@alpha.test"])
    assert order.reference in shop_mail.subject


def test_an_order_awaiting_payment_cannot_be_moved_by_the_shop_nor_the_shopper(
    town_a, variant, member
):
    with provider_registered(OffsiteProvider()):
        checkout = order_place(town_a, [(variant, 2)], choice=CARD)
    with inside(town_a):
        order = checkout.orders.get()
        assert order_merchant_actions(order=order) == []
        before = _state(order)

        with pytest.raises(OrderTransitionRefused, match="awaiting payment"):
            order_accept(order_id=order.pk, actor=member)
        with pytest.raises(OrderTransitionRefused) as refused:
            order_cancel(order_id=order.pk, actor=None, tracking_token=order.tracking_token)

        assert refused.value.message == (
            "This order is awaiting payment: it cannot be changed that way."
        )
        assert _state(order) == before
