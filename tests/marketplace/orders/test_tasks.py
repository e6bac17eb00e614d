from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.db import connection
from django.utils import timezone

from comptoir.send_once.models import SentOnce
from marketplace.catalogue.models import StockReservation
from marketplace.orders.models import Cart, Checkout, Order
from marketplace.orders.tasks import (
    carts_abandoned_purge,
    carts_abandoned_purge_all,
    checkout_confirmation_send,
    order_cancelled_notify_merchant,
    order_placed_notify_merchant,
    order_status_notify,
    reservations_expired_release,
    reservations_expired_release_all,
)
from tests.conftest import inside, user_create
from tests.marketplace.orders.factories import (
    CARD,
    OffsiteProvider,
    cart_create,
    member_add,
    order_place,
    provider_registered,
    shop_create,
    variant_create,
)


@pytest.fixture
def placed(town_a):
    shop = shop_create(town_a)
    member_add(town_a, shop, "owner@alpha.test")
    checkout = order_place(town_a, [(variant_create(town_a, shop), 1)])
    with inside(town_a):
        return checkout, checkout.orders.get()


def _claims() -> list[tuple[str, str]]:
    return list(
        SentOnce.objects.filter(purpose__startswith="orders.").values_list("purpose", "key")
    )


def _in(town, task, *args):
    """Run the task as a worker would: from the public schema, with the town in its header."""
    connection.set_schema_to_public()
    return task.apply(args=list(args), headers={"_schema_name": town.schema_name}).get()


def test_each_notification_is_sent_once_however_often_the_task_runs(town_a, placed, mailoutbox):
    checkout, order = placed

    assert _in(town_a, order_placed_notify_merchant, order.pk) is True
    assert _in(town_a, order_placed_notify_merchant, order.pk) is False
    assert _in(town_a, checkout_confirmation_send, checkout.pk) is True
    assert _in(town_a, checkout_confirmation_send, checkout.pk) is False

    assert [mail.to for mail in mailoutbox] == [["owner@alpha.test"], ["camille@example.org"]]
    with inside(town_a):
        assert sorted(_claims()) == [
            ("orders.checkout_confirmation", str(checkout.pk)),
            ("orders.merchant_new_order", str(order.pk)),
        ]


def test_a_failed_send_is_released_and_retried(town_a, placed, mailoutbox):
    _checkout, order = placed
    real_send = django_mail.send_mail
    calls = {"count": 0}

    def flaky(**kwargs):
        calls["count"] += 1
        if calls["count"] == 1:
            raise ConnectionError("SMTP down")
        return real_send(**kwargs)

    with mock.patch("marketplace.orders.tasks.send_mail", side_effect=flaky):
        connection.set_schema_to_public()
        # throw=False: Celery then runs the retry right away, as a worker would after its delay.
        result = order_placed_notify_merchant.apply(
            args=[order.pk], headers={"_schema_name": town_a.schema_name}, throw=False
        )

    assert result.get() is True

    assert calls["count"] == 2
    assert [mail.to for mail in mailoutbox] == [["owner@alpha.test"]]
    with inside(town_a):
        assert _claims() == [("orders.merchant_new_order", str(order.pk))]


def test_a_status_notice_for_a_status_the_order_left_is_not_sent(town_a, placed, mailoutbox):
    _checkout, order = placed
    assert _in(town_a, order_status_notify, order.pk, Order.Status.ACCEPTED) is False
    assert _in(town_a, order_cancelled_notify_merchant, order.pk) is False
    assert mailoutbox == []


def test_tasks_run_in_the_schema_named_by_their_header(town_a, town_b, placed, mailoutbox):
    """Town B's header with town A's ids reaches nothing of town A."""
    checkout, order = placed

    for task, object_id in (
        (order_placed_notify_merchant, order.pk),
        (checkout_confirmation_send, checkout.pk),
        (order_status_notify, order.pk),
    ):
        args = [object_id, Order.Status.PLACED] if task is order_status_notify else [object_id]
        assert _in(town_b, task, *args) is False
    assert mailoutbox == []

    assert _in(town_a, checkout_confirmation_send, checkout.pk) is True
    assert f"http://alpha.comptoir.test/suivi/{order.tracking_token}/" in mailoutbox[0].body
    assert "beta" not in mailoutbox[0].body.lower()


def test_abandoned_guest_carts_are_purged_in_each_town_only(town_a, town_b):
    variant = variant_create(town_a, shop_create(town_a))
    old_guest = cart_create(town_a, [(variant, 1)])
    fresh_guest = cart_create(town_a, [(variant, 1)])
    old_own = cart_create(town_a, [(variant, 1)], user=user_create(town_a, "camille@alpha.test"))
    old_in_b = cart_create(town_b, [])
    long_ago = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    for town, carts in ((town_a, [old_guest, old_own]), (town_b, [old_in_b])):
        with inside(town):
            Cart.objects.filter(pk__in=[cart.pk for cart in carts]).update(updated_at=long_ago)

    assert _in(town_a, carts_abandoned_purge) == 1

    with inside(town_a):
        assert set(Cart.objects.values_list("pk", flat=True)) == {fresh_guest.pk, old_own.pk}
    with inside(town_b):
        assert Cart.objects.filter(pk=old_in_b.pk).exists()


def test_the_purge_is_sent_to_every_town_in_use(town_a, town_b):
    with mock.patch.object(carts_abandoned_purge, "apply_async") as send:
        sent = carts_abandoned_purge_all.apply().get()

    schemas = {call.kwargs["headers"]["_schema_name"] for call in send.call_args_list}
    assert {town_a.schema_name, town_b.schema_name} <= schemas
    assert sent == len(send.call_args_list)


def test_the_reservation_sweep_of_one_town_leaves_the_other_town_alone(town_a, town_b):
    expired: dict[str, Checkout] = {}
    with provider_registered(OffsiteProvider()):
        for town in (town_a, town_b):
            checkout = order_place(
                town, [(variant_create(town, shop_create(town)), 1)], choice=CARD
            )
            with inside(town):
                Checkout.objects.filter(pk=checkout.pk).update(reserved_until=timezone.now())
            expired[town.slug] = checkout

    assert _in(town_a, reservations_expired_release) == 1
    assert _in(town_a, reservations_expired_release) == 0

    with inside(town_a):
        assert expired["alpha"].orders.get().status == Order.Status.CANCELLED
        assert not StockReservation.objects.exists()
    with inside(town_b):
        assert expired["beta"].orders.get().status == Order.Status.PENDING
        assert StockReservation.objects.count() == 1
    assert _in(town_b, reservations_expired_release) == 1


def test_the_reservation_sweep_is_sent_to_every_town_in_use_by_the_beat(town_a, town_b):
    with mock.patch.object(reservations_expired_release, "apply_async") as send:
        sent = reservations_expired_release_all.apply().get()

    schemas = {call.kwargs["headers"]["_schema_name"] for call in send.call_args_list}
    assert {town_a.schema_name, town_b.schema_name} <= schemas
    assert sent == len(send.call_args_list)
    scheduled = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert scheduled[reservations_expired_release_all.name] <= 60
