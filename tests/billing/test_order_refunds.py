"""A card-paid order refused by its shop, or cancelled, is refunded in full at Stripe and only
that shop's transfer is reversed; retried, nothing is done twice; a reversal Stripe refuses is
recorded and made by the retry."""

from dataclasses import dataclass
from unittest import mock

import pytest

from billing.models import OrderRefund, TownCommission, Transfer
from billing.services import order_refunds, transfers
from billing.tasks import card_order_refund, card_payment_transfers
from comptoir.accounts.models import User
from marketplace.orders.models import Order
from marketplace.orders.services.transitions import order_cancel, order_refuse
from tests.billing.test_card_payments import _paid_intent, deliver_all
from tests.conftest import inside
from tests.marketplace.orders.factories import member_add


def _paid_orders(town, client, fake, root, capture, *, transferred: bool = True):
    """A 2-shop cart paid by card (8 % commission), the shops paid when `transferred`."""
    with inside(town):
        TownCommission.objects.create(pk=1, rate_bps=800)
    reference, intent = _paid_intent(town, client, fake, root, capture)
    if transferred:
        deliver_all(fake, root, capture)
    else:
        # The orders are placed, the shops' transfers still queued.
        with mock.patch.object(card_payment_transfers, "apply_async"):
            deliver_all(fake, root, capture)
    with inside(town):
        florist, cheese = (
            Order.objects.filter(checkout__reference=reference)
            .select_related("merchant")
            .order_by("merchant__name")
        )
    owner = member_add(town, florist.merchant, "fleurs@example.org")
    return PaidOrders(reference, intent, florist, cheese, owner)


@dataclass(frozen=True)
class PaidOrders:
    reference: str
    intent: dict
    florist: Order
    cheese: Order
    owner: User  # of the florist's shop


@pytest.fixture
def paid(client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks):
    """The 2-shop cart paid by card, both shops paid."""
    return _paid_orders(
        town_a, client_a, fake_stripe, root_client, django_capture_on_commit_callbacks
    )


def test_a_paid_order_refused_by_its_shop_is_refunded_and_only_its_transfer_reversed(
    paid, town_a, fake_stripe, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    intent, florist, cheese, owner = paid.intent, paid.florist, paid.cheese, paid.owner

    with inside(town_a), capture(execute=True):
        order_refuse(order_id=florist.pk, actor=owner, reason="Plus de roses")

    [refund] = fake_stripe.refunds.values()
    assert (refund["payment_intent"], refund["amount"]) == (intent["id"], 2500)
    [reversal] = fake_stripe.transfer_reversals.values()
    with inside(town_a):
        transfer = Transfer.objects.get(order=florist)
        row = OrderRefund.objects.get()
        assert Order.objects.get(pk=florist.pk).payment_status == Order.PaymentStatus.REFUNDED
        assert Order.objects.get(pk=cheese.pk).payment_status == Order.PaymentStatus.PAID
        # The shop gives back all it got (2,500 less 8 %), the platform its 200 commission.
        assert (reversal["transfer"], reversal["amount"]) == (transfer.stripe_transfer_id, 2300)
        assert (row.amount_cents, row.reversal_cents, row.commission_cents) == (2500, 2300, 200)
        assert row.commission_cents == transfer.commission_cents
        assert row.origin == OrderRefund.Origin.AUTOMATIC and row.reason == "Plus de roses"
        assert (row.stripe_refund_id, row.stripe_reversal_id) == (refund["id"], reversal["id"])
        # A retried task (or a replayed refusal) refunds and reverses nothing more.
        card_order_refund(row.pk)
    assert len(fake_stripe.refunds) == 1 and len(fake_stripe.transfer_reversals) == 1
    cheese_transfer = next(
        t for t in fake_stripe.transfers.values() if t["id"] != reversal["transfer"]
    )
    assert cheese_transfer["amount_reversed"] == 0


def test_a_paid_order_cancelled_before_its_shop_was_paid_is_refunded_and_never_transferred(
    client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    unpaid_shops = _paid_orders(
        town_a, client_a, fake_stripe, root_client, capture, transferred=False
    )
    reference, florist, cheese = unpaid_shops.reference, unpaid_shops.florist, unpaid_shops.cheese
    owner = unpaid_shops.owner

    with inside(town_a), capture(execute=True):
        order_cancel(order_id=florist.pk, actor=owner, reason="Fermé pour inventaire")
        assert card_payment_transfers(reference) == 1

    [refund] = fake_stripe.refunds.values()
    assert refund["amount"] == 2500
    assert not fake_stripe.transfer_reversals
    [transfer] = fake_stripe.transfers.values()
    with inside(town_a):
        assert Transfer.objects.get().order_id == cheese.pk
        refund = OrderRefund.objects.get()
        # Never transferred: nothing to take back from the shop.
        assert (refund.stripe_reversal_id, refund.reversal_cents) == ("", None)
    assert transfer["amount"] == 890 - 71


def test_a_reversal_stripe_refuses_is_recorded_then_made_by_the_retry(
    paid, town_a, fake_stripe, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    florist, owner = paid.florist, paid.owner
    fake_stripe.fail_reversals = True

    with inside(town_a):
        with capture(execute=False):
            order_refuse(order_id=florist.pk, actor=owner, reason="Plus de roses")
        refund_id = OrderRefund.objects.get().pk
        # The Refund is made; the reversal refused is recorded, not raised (the retries have it).
        card_order_refund.run(refund_id)
        refused = OrderRefund.objects.get()
        assert refused.stripe_refund_id and not refused.stripe_reversal_id
        assert "insufficient" in refused.reversal_error.lower()
        assert (refused.reversal_attempts, refused.reversal_refusals) == (1, 1)

        fake_stripe.fail_reversals = False
        card_order_refund.run(refund_id)
        done = OrderRefund.objects.get()
    assert (done.reversal_error, done.reversal_cents, done.reversal_attempts) == ("", 2300, 1)
    assert done.stripe_reversal_id
    assert len(fake_stripe.refunds) == 1 and len(fake_stripe.transfer_reversals) == 1


def test_a_refund_task_for_an_order_of_town_a_finds_nothing_in_town_b(
    paid, town_a, town_b, fake_stripe, django_capture_on_commit_callbacks
):
    florist = paid.florist
    with inside(town_a), django_capture_on_commit_callbacks(execute=False):
        order_refuse(order_id=florist.pk, actor=paid.owner, reason="Plus de roses")
        refund_id = OrderRefund.objects.get().pk

    with inside(town_b), pytest.raises(OrderRefund.DoesNotExist):
        card_order_refund.run(refund_id)
    assert not fake_stripe.refunds


def test_an_order_refunded_while_its_shop_was_being_paid_is_reversed_once_paid(
    client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    unpaid_shops = _paid_orders(
        town_a, client_a, fake_stripe, root_client, capture, transferred=False
    )
    florist = unpaid_shops.florist
    real_create = transfers._transfer_create

    def refused_meanwhile(**kwargs):
        # Stripe made the florist's transfer; the shop refuses the order before the ledger row
        # is written, and the refund's task runs as soon as the refusal commits: no transfer is
        # known to reverse yet.
        transfer_id = real_create(**kwargs)
        if kwargs["order"].pk == florist.pk:
            queued: list[tuple] = []
            with mock.patch.object(
                order_refunds, "task_after_commit", lambda _task, *args: queued.append(args)
            ):
                order_refuse(order_id=florist.pk, actor=unpaid_shops.owner, reason="Plus de roses")
            card_order_refund.run(*queued.pop())
            assert len(fake_stripe.refunds) == 1 and not fake_stripe.transfer_reversals
        return transfer_id

    paying = mock.patch.object(transfers, "_transfer_create", side_effect=refused_meanwhile)
    with inside(town_a), capture(execute=True), paying:
        assert card_payment_transfers(unpaid_shops.reference) == 2

    [reversal] = fake_stripe.transfer_reversals.values()
    with inside(town_a):
        transfer = Transfer.objects.get(order=florist)
        assert (reversal["transfer"], reversal["amount"]) == (transfer.stripe_transfer_id, 2300)
        refund = OrderRefund.objects.get()
        assert refund.stripe_reversal_id == reversal["id"]
        assert (refund.commission_cents, refund.reversal_cents) == (200, 2300)
    assert len(fake_stripe.refunds) == 1
