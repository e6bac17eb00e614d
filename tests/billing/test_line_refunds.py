"""Refunds of chosen items of a card-paid order, by its shop or the town's administrator: a
Refund on the checkout's payment, a reversal of that shop's transfer only, the commission given
back in proportion; the books balance to the cent; more than is left is refused; a reversal
Stripe refuses is recorded, shown in /gestion/, retried by the beat task, made once."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

import pytest
from django.db.models import Sum
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing.errors import RefundForbidden, RefundInvalid, StripeUnavailable
from billing.models import (
    CardPayment,
    ConnectAccount,
    OrderRefund,
    OrderRefundLine,
    TownCommission,
    Transfer,
)
from billing.services import order_refunds
from billing.services.order_refunds import order_refund
from billing.tasks import card_order_refund, card_order_refunds_retry
from comptoir.accounts.models import User
from marketplace.directory.models import Category, Merchant
from marketplace.orders.models import Checkout, Order, OrderLine
from marketplace.orders.services.transitions import order_refuse
from tenants.models import Town
from tests.billing.builders import deliver
from tests.billing.test_card_payments import (
    card_page_submit,
    card_shop,
    checkout_by_card,
    deliver_all,
)
from tests.concurrency import in_threads, town_committed
from tests.conftest import host_of, inside, signed_in
from tests.fakes.stripe_server import FakeStripe
from tests.marketplace.backoffice.builders import shop_create
from tests.marketplace.orders.factories import guest_cart_fill, member_add, variant_create

_numbers = itertools.count(1)


@dataclass(frozen=True)
class PaidCart:
    reference: str
    intent: dict
    shops: list[Merchant]
    orders: list[Order]  # one per shop, in the shops' order
    owners: list[User]  # an owner of each shop


def paid_cart(
    town: Town,
    fake: FakeStripe,
    root: Client,
    capture,
    *,
    lines: list[list[tuple[int, int]]],
    rates: list[int | None],
    town_rate: int = 800,
) -> PaidCart:
    """A cart across len(lines) shops paid by card, each shop paid: `lines[i]` is shop i's
    (unit price, quantity) lines, `rates[i]` its own commission (None: the town's)."""
    with inside(town):
        TownCommission.objects.update_or_create(pk=1, defaults={"rate_bps": town_rate})
    shops, items = [], []
    for index, (shop_lines, rate) in enumerate(zip(lines, rates, strict=True)):
        number = next(_numbers)
        shop, _ = card_shop(town, fake, root, capture, name=f"Boutique {number} {index}")
        with inside(town):
            ConnectAccount.objects.filter(merchant=shop).update(commission_bps=rate)
        shops.append(shop)
        for position, (price, quantity) in enumerate(shop_lines):
            variant = variant_create(
                town, shop, title=f"Article {number}-{position}", price_cents=price, stock=50
            )
            items.append((variant, quantity))
    shopper = Client(HTTP_HOST=host_of(town))
    guest_cart_fill(shopper, items)
    before = len(fake.deliveries)
    card_page_submit(checkout_by_card(shopper, shops), card="4242424242424242")
    deliver_all(fake, root, capture, since=before)
    intent = list(fake.payment_intents.values())[-1]
    reference = intent["metadata"]["checkout"]
    with inside(town):
        by_shop = {
            order.merchant_id: order
            for order in Order.objects.filter(checkout__reference=reference).prefetch_related(
                "lines"
            )
        }
    orders = [by_shop[shop.pk] for shop in shops]
    owners = [member_add(town, shop, f"owner{next(_numbers)}@example.org") for shop in shops]
    return PaidCart(reference, intent, shops, orders, owners)


def lines_of(town: Town, order: Order) -> list[OrderLine]:
    with inside(town):
        return list(OrderLine.objects.filter(order=order).order_by("pk"))


def refunded_at_fake(fake: FakeStripe, intent: dict) -> int:
    return fake.charges[intent["latest_charge"]]["amount_refunded"]


def assert_books_balance(town: Town, fake: FakeStripe, cart: PaidCart) -> None:
    """Per shop: Σ transferred − Σ reversed + commission kept == charged − refunded, read at
    the fake for what Stripe moved; the charge's refunds are the orders' refunds."""
    refunded_total = 0
    with inside(town):
        for order in cart.orders:
            order.refresh_from_db()
            ledger = Transfer.objects.get(order=order)
            refunds = list(OrderRefund.objects.filter(order=order))
            refunded = sum(refund.amount_cents for refund in refunds)
            refunded_total += refunded
            assert refunded <= order.total_cents
            transferred = reversed_ = 0
            if ledger.stripe_transfer_id:
                stripe_transfer = fake.transfers[ledger.stripe_transfer_id]
                transferred = stripe_transfer["amount"]
                reversed_ = sum(
                    reversal["amount"]
                    for reversal in fake.transfer_reversals.values()
                    if reversal["transfer"] == ledger.stripe_transfer_id
                )
                assert stripe_transfer["amount_reversed"] == reversed_
            commission_back = sum(refund.commission_cents or 0 for refund in refunds)
            kept = ledger.commission_cents - commission_back
            assert 0 <= kept <= ledger.commission_cents
            assert transferred - reversed_ + kept == order.total_cents - refunded
            if refunded == order.total_cents:
                # Refunded in full: the shop gave back all it got, the town all it kept.
                assert (reversed_, kept) == (transferred, 0)
                assert order.payment_status == Order.PaymentStatus.REFUNDED
            elif refunded:
                assert order.payment_status == Order.PaymentStatus.PARTLY_REFUNDED
    assert refunded_at_fake(fake, cart.intent) == refunded_total


@pytest.fixture
def cart(town_a, fake_stripe, root_client, django_capture_on_commit_callbacks) -> PaidCart:
    """Three shops paid by card: the town keeps 8 %, the cheese shop 5.25 %."""
    return paid_cart(
        town_a,
        fake_stripe,
        root_client,
        django_capture_on_commit_callbacks,
        lines=[[(1250, 2), (450, 1)], [(890, 3)], [(1999, 1), (120, 4)]],
        rates=[None, 525, None],
    )


def test_a_partial_refund_of_one_line_reverses_only_that_shops_transfer(
    cart, town_a, client_a, fake_stripe, django_capture_on_commit_callbacks, english
):
    capture = django_capture_on_commit_callbacks
    cheese = cart.orders[1]
    [line] = lines_of(town_a, cheese)
    signed_in(client_a, town_a, cart.owners[1].email)

    with capture(execute=True):
        response = client_a.post(
            f"/boutique/commandes/{cheese.reference}/rembourser/",
            {f"line-{line.pk}": "1", "reason": "Un comté abîmé"},
        )

    assert response.status_code == 302
    assert response["Location"] == f"/boutique/commandes/{cheese.reference}/"
    [refund] = fake_stripe.refunds.values()
    assert (refund["payment_intent"], refund["amount"]) == (cart.intent["id"], 890)
    [reversal] = fake_stripe.transfer_reversals.values()
    with inside(town_a):
        ledger = Transfer.objects.get(order=cheese)
        row = OrderRefund.objects.get()
        assert list(OrderRefundLine.objects.values_list("line_id", "quantity", "amount_cents")) == [
            (line.pk, 1, 890)
        ]
    # 2,670 at 5.25 %: 140 kept; a third of it, 46.7 → 47, goes back with the refund.
    assert (ledger.order_cents, ledger.commission_cents) == (2670, 140)
    assert (row.amount_cents, row.commission_cents, row.reversal_cents) == (890, 47, 843)
    assert (row.origin, row.actor_id, row.reason) == (
        "merchant",
        cart.owners[1].pk,
        "Un comté abîmé",
    )
    assert (reversal["transfer"], reversal["amount"]) == (ledger.stripe_transfer_id, 843)
    assert (row.stripe_refund_id, row.stripe_reversal_id) == (refund["id"], reversal["id"])
    others = [t for t in fake_stripe.transfers.values() if t["id"] != ledger.stripe_transfer_id]
    assert len(others) == 2 and all(t["amount_reversed"] == 0 for t in others)
    assert_books_balance(town_a, fake_stripe, cart)
    # The shop's order page lists the refund and says the order is partly refunded.
    page = client_a.get(f"/boutique/commandes/{cheese.reference}/").content.decode()
    assert "Partly refunded" in page and "Un comté abîmé" in page
    # So does the shopper's page.
    tracking = Client(HTTP_HOST=host_of(town_a), HTTP_ACCEPT_LANGUAGE="en")
    with inside(town_a):
        token = Order.objects.get(pk=cheese.pk).tracking_token
    assert "Partly refunded" in tracking.get(f"/suivi/{token}/").content.decode()

    # The rest of the line, then nothing is left: the order says "refunded".
    with capture(execute=True):
        client_a.post(
            f"/boutique/commandes/{cheese.reference}/rembourser/", {"whole": "1", "reason": ""}
        )
    assert_books_balance(town_a, fake_stripe, cart)
    assert "Refunded" in tracking.get(f"/suivi/{token}/").content.decode()
    # And retried, no task refunds or reverses twice.
    with inside(town_a):
        for refund_id in OrderRefund.objects.values_list("pk", flat=True):
            card_order_refund(refund_id)
    assert len(fake_stripe.refunds) == 2 and len(fake_stripe.transfer_reversals) == 2


@hypothesis_settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(
        st.lists(st.tuples(st.integers(1, 40_000), st.integers(1, 4)), min_size=1, max_size=2),
        min_size=3,
        max_size=3,
    ),
    rates=st.lists(st.one_of(st.none(), st.integers(0, 10_000)), min_size=3, max_size=3),
    town_rate=st.integers(0, 10_000),
    asks=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(1, 5)), min_size=1, max_size=5
    ),
    settle=st.booleans(),
)
def test_the_books_balance_to_the_cent_whatever_the_refunds(
    town_a,
    fake_stripe,
    root_client,
    django_capture_on_commit_callbacks,
    lines,
    rates,
    town_rate,
    asks,
    settle,
):
    capture = django_capture_on_commit_callbacks
    cart = paid_cart(
        town_a, fake_stripe, root_client, capture, lines=lines, rates=rates, town_rate=town_rate
    )
    refunds_before = len(fake_stripe.refunds)

    for shop, position, quantity in asks:
        order = cart.orders[shop]
        order_lines = lines_of(town_a, order)
        line = order_lines[position % len(order_lines)]
        with inside(town_a):
            left = order_refunds.order_refund_lines_left(order_id=order.pk)[line.pk]
            if quantity > left:
                with pytest.raises(RefundInvalid, match=r"can (still )?be refunded"):
                    order_refund(
                        order_id=order.pk, actor=cart.owners[shop], quantities={line.pk: quantity}
                    )
                continue
            with capture(execute=True):
                order_refund(
                    order_id=order.pk, actor=cart.owners[shop], quantities={line.pk: quantity}
                )
        assert_books_balance(town_a, fake_stripe, cart)
    if settle:
        # Shop 0 gives back everything left: its books close exactly at zero.
        with inside(town_a), capture(execute=True):
            left = order_refunds.order_refund_lines_left(order_id=cart.orders[0].pk)
            if any(left.values()):
                order_refund(order_id=cart.orders[0].pk, actor=cart.owners[0], quantities=left)
    assert_books_balance(town_a, fake_stripe, cart)
    with inside(town_a):
        made = OrderRefund.objects.filter(order__in=cart.orders, amount_cents__gt=0).count()
    assert len(fake_stripe.refunds) - refunds_before == made


def test_more_than_is_left_is_refused_and_nothing_changes(
    cart, town_a, client_a, fake_stripe, django_capture_on_commit_callbacks, english
):
    florist = cart.orders[0]
    roses, _soap = lines_of(town_a, florist)
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        order_refund(order_id=florist.pk, actor=cart.owners[0], quantities={roses.pk: 1})
    signed_in(client_a, town_a, cart.owners[0].email)

    response = client_a.post(
        f"/boutique/commandes/{florist.reference}/rembourser/", {f"line-{roses.pk}": "2"}
    )

    assert response.status_code == 400
    assert "Only 1 can still be refunded." in response.content.decode()
    with inside(town_a):
        assert OrderRefund.objects.count() == 1
        assert Order.objects.get(pk=florist.pk).payment_status == "partly_refunded"
        # Asked of the service directly, with the form's checks out of the way.
        with pytest.raises(RefundInvalid, match=r"Only 1 × “Article .*” can still be refunded"):
            order_refund(order_id=florist.pk, actor=cart.owners[0], quantities={roses.pk: 2})
        with pytest.raises(RefundInvalid, match="Choose at least one item"):
            order_refund(order_id=florist.pk, actor=cart.owners[0], quantities={roses.pk: 0})
        other_line = lines_of(town_a, cart.orders[1])[0]
        with pytest.raises(RefundInvalid, match="not part of the order"):
            order_refund(order_id=florist.pk, actor=cart.owners[0], quantities={other_line.pk: 1})
        assert OrderRefund.objects.count() == 1
    assert len(fake_stripe.refunds) == 1


def test_a_refused_reversal_is_recorded_shown_and_made_once_by_the_beat_task(
    cart, town_a, client_a, admin_a, fake_stripe, django_capture_on_commit_callbacks, english
):
    capture = django_capture_on_commit_callbacks
    cheese = cart.orders[1]
    [line] = lines_of(town_a, cheese)
    fake_stripe.fail_reversals = True
    with inside(town_a):
        with capture(execute=True):
            refund = order_refund(order_id=cheese.pk, actor=cart.owners[1], quantities={line.pk: 2})
        # The beat's pass while Stripe still refuses: one more attempt, still recorded.
        assert card_order_refunds_retry() == 1
        refused = OrderRefund.objects.get(pk=refund.pk)
    assert refused.stripe_refund_id and not refused.stripe_reversal_id
    assert (refused.reversal_attempts, refused.reversal_cents) == (2, 1687)
    assert not fake_stripe.transfer_reversals

    signed_in(client_a, town_a, admin_a.email)
    page = client_a.get("/gestion/remboursements/").content.decode()
    assert "Insufficient funds in the connected account" in page
    assert f"/gestion/remboursements/{refund.pk}/relancer/" in page

    fake_stripe.fail_reversals = False
    with inside(town_a):
        assert card_order_refunds_retry() == 1
        assert card_order_refunds_retry() == 0
        done = OrderRefund.objects.get(pk=refund.pk)
    [reversal] = fake_stripe.transfer_reversals.values()
    assert (reversal["amount"], done.stripe_reversal_id, done.reversal_error) == (
        1687,
        reversal["id"],
        "",
    )
    page = client_a.get("/gestion/remboursements/").content.decode()
    assert "Insufficient funds" not in page
    assert_books_balance(town_a, fake_stripe, cart)


def test_the_administrator_retries_a_refused_reversal_from_gestion(
    cart, town_a, client_a, admin_a, fake_stripe, django_capture_on_commit_callbacks, english
):
    florist = cart.orders[0]
    fake_stripe.fail_reversals = True
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        order_refuse(order_id=florist.pk, actor=cart.owners[0], reason="Plus de roses")
        refund = OrderRefund.objects.get()
    signed_in(client_a, town_a, admin_a.email)

    client_a.post(f"/gestion/remboursements/{refund.pk}/relancer/")
    with inside(town_a):
        assert OrderRefund.objects.get().reversal_attempts == 2
    fake_stripe.fail_reversals = False
    response = client_a.post(f"/gestion/remboursements/{refund.pk}/relancer/", follow=True)

    assert "The refund is complete at Stripe." in response.content.decode()
    [reversal] = fake_stripe.transfer_reversals.values()
    assert reversal["amount"] == 2950 - 236
    client_a.post(f"/gestion/remboursements/{refund.pk}/relancer/")
    assert len(fake_stripe.transfer_reversals) == 1 and len(fake_stripe.refunds) == 1


def test_the_administrator_refunds_any_order_of_the_town(
    cart, town_a, client_a, admin_a, fake_stripe, django_capture_on_commit_callbacks
):
    third = cart.orders[2]
    _watch, pins = lines_of(town_a, third)
    signed_in(client_a, town_a, admin_a.email)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            f"/gestion/remboursements/commandes/{third.reference}/",
            {f"line-{pins.pk}": "3", "reason": "Geste commercial"},
        )

    assert response.status_code == 302
    with inside(town_a):
        row = OrderRefund.objects.get()
    assert (row.origin, row.actor_id, row.amount_cents) == ("town", admin_a.pk, 360)
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [360]
    assert_books_balance(town_a, fake_stripe, cart)


def test_a_merchant_refunds_only_their_own_shops_orders(
    cart, town_a, client_a, fake_stripe, django_capture_on_commit_callbacks
):
    florist, cheese = cart.orders[0], cart.orders[1]
    [line] = lines_of(town_a, cheese)
    # The florist's owner, signed in to their back office, names the cheese shop's order.
    signed_in(client_a, town_a, cart.owners[0].email)

    assert client_a.get(f"/boutique/commandes/{cheese.reference}/rembourser/").status_code == 404
    response = client_a.post(
        f"/boutique/commandes/{cheese.reference}/rembourser/", {f"line-{line.pk}": "1"}
    )
    assert response.status_code == 404
    # The service itself refuses them too; and a shopper's account is not an administrator.
    with inside(town_a):
        with pytest.raises(RefundForbidden):
            order_refund(order_id=cheese.pk, actor=cart.owners[0], quantities={line.pk: 1})
        with pytest.raises(RefundForbidden):
            order_refund(
                order_id=cheese.pk,
                actor=cart.owners[0],
                quantities={line.pk: 1},
                as_town_admin=True,
            )
        assert not OrderRefund.objects.exists()
    assert client_a.get(f"/boutique/commandes/{florist.reference}/rembourser/").status_code == 200
    assert client_a.get("/gestion/remboursements/").status_code == 403
    assert not fake_stripe.refunds


def test_another_towns_administrator_reaches_nothing_of_town_a(
    cart,
    town_a,
    town_b,
    client_a,
    client_b,
    admin_b,
    fake_stripe,
    django_capture_on_commit_callbacks,
):
    florist = cart.orders[0]
    [roses, _soap] = lines_of(town_a, florist)
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        fake_stripe.fail_reversals = True
        refund = order_refund(order_id=florist.pk, actor=cart.owners[0], quantities={roses.pk: 1})
    signed_in(client_b, town_b, admin_b.email)

    # On their own town's host, town A's order and refund do not exist.
    refund_page = f"/gestion/remboursements/commandes/{florist.reference}/"
    assert client_b.get(refund_page).status_code == 404
    assert client_b.post(refund_page, {f"line-{roses.pk}": "1"}).status_code == 404
    client_b.post(f"/gestion/remboursements/{refund.pk}/relancer/")
    assert florist.reference not in client_b.get("/gestion/remboursements/").content.decode()
    # On town A's host, their session means nothing.
    client_a.cookies = client_b.cookies
    assert client_a.get(refund_page).status_code == 302
    # Town B's beat pass finds nothing of town A's.
    fake_stripe.fail_reversals = False
    with inside(town_b):
        assert card_order_refunds_retry() == 0
    assert not fake_stripe.transfer_reversals and len(fake_stripe.refunds) == 1
    with inside(town_a):
        assert OrderRefund.objects.get().reversal_attempts == 1


def test_a_refund_made_in_stripes_dashboard_is_recorded_once(
    cart, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    cheese = cart.orders[1]
    before = len(fake_stripe.deliveries)
    # Someone refunds 5 € of the payment in Stripe's dashboard: Stripe says charge.refunded.
    stripe_refund = fake_stripe.dashboard_refund(cart.intent["id"], 500)
    [delivery] = fake_stripe.deliveries[before:]

    with capture(execute=True):
        for _ in range(3):
            assert deliver(root_client, delivery) == 200

    with inside(town_a):
        [row] = OrderRefund.objects.all()
        # The first order of the checkout with 5 € left to refund: the florist's.
        assert (row.order_id, row.origin, row.amount_cents) == (cart.orders[0].pk, "stripe", 500)
        assert row.stripe_refund_id == stripe_refund["id"]
        assert not row.lines.exists()
    assert len(fake_stripe.refunds) == 1
    [reversal] = fake_stripe.transfer_reversals.values()
    assert reversal["amount"] == row.reversal_cents == 500 - 40

    # A refund of ours, its webhook delivered before its task wrote Stripe's id: not twice.
    [line] = lines_of(town_a, cheese)
    before = len(fake_stripe.deliveries)
    with inside(town_a):
        with mock.patch.object(order_refunds, "task_after_commit"), capture(execute=True):
            ours = order_refund(order_id=cheese.pk, actor=cart.owners[1], quantities={line.pk: 1})
        card_order_refund.run(ours.pk)
    with capture(execute=True):
        for delivery in fake_stripe.deliveries[before:]:
            assert deliver(root_client, delivery) == 200
    with inside(town_a):
        assert OrderRefund.objects.count() == 2
        assert OrderRefund.objects.aggregate(total=Sum("amount_cents"))["total"] == 500 + 890
    assert_books_balance(town_a, fake_stripe, cart)


def test_the_refund_pages_cost_a_constant_number_of_queries(
    cart,
    town_a,
    client_a,
    admin_a,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    florist = cart.orders[0]
    roses, soap = lines_of(town_a, florist)
    owner = cart.owners[0]
    merchant_client = Client(HTTP_HOST=host_of(town_a))
    signed_in(merchant_client, town_a, owner.email)
    signed_in(client_a, town_a, admin_a.email)
    pages = [
        (merchant_client, f"/boutique/commandes/{florist.reference}/rembourser/"),
        (merchant_client, f"/boutique/commandes/{florist.reference}/"),
        (client_a, "/gestion/remboursements/"),
        (client_a, f"/gestion/remboursements/commandes/{florist.reference}/"),
    ]

    def counts() -> list[int]:
        found = []
        for client, url in pages:
            client.get(url)  # warm the session and the caches
            with django_assert_max_num_queries(25) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured))
        return found

    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        order_refund(order_id=florist.pk, actor=owner, quantities={roses.pk: 1})
    few = counts()
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        order_refund(order_id=florist.pk, actor=owner, quantities={soap.pk: 1})
        order_refund(
            order_id=cart.orders[1].pk,
            actor=cart.owners[1],
            quantities={lines_of(town_a, cart.orders[1])[0].pk: 2},
        )
        order_refund(order_id=florist.pk, actor=owner, quantities={roses.pk: 1})
    assert counts() == few


@pytest.fixture
def committed_town(django_db_setup, django_db_blocker) -> Iterator[Town]:
    def cleanup() -> None:
        orders = Order.objects.filter(merchant__slug__startswith="bo-shop-")
        OrderRefund.objects.filter(order__in=orders).delete()  # their lines go with them
        CardPayment.objects.filter(checkout__orders__in=orders).delete()
        checkouts = list(orders.values_list("checkout_id", flat=True))
        orders.delete()
        Checkout.objects.filter(pk__in=checkouts).delete()
        User.objects.filter(email=RACING_OWNER).delete()
        Merchant.objects.filter(slug__startswith="bo-shop-").delete()
        Category.objects.filter(slug__startswith="bo-cat-").delete()

    with town_committed(django_db_blocker, cleanup=cleanup) as town:
        yield town


RACING_OWNER = "racing-owner@example.org"


def test_concurrent_refunds_of_one_line_never_refund_more_than_it_had(committed_town):
    # A paid card order of 3 × 12,50 € (+ a 4 € delivery fee), committed for the threads.
    shop = shop_create(committed_town, owner=RACING_OWNER)
    with inside(committed_town):
        owner = User.objects.get(email=RACING_OWNER)
        checkout = Checkout.objects.create(
            idempotency_key="racing-refunds", contact_name="Camille", contact_email="c@example.org"
        )
        order = Order.objects.create(
            reference="RACE-REFUND-1",
            checkout=checkout,
            merchant=shop,
            status=Order.Status.PLACED,
            fulfilment=Order.Fulfilment.LOCAL_DELIVERY,
            payment_method="card",
            payment_status=Order.PaymentStatus.PAID,
            subtotal_cents=3750,
            delivery_fee_cents=400,
            total_cents=4150,
        )
        line = OrderLine.objects.create(
            order=order,
            product_title="Roses",
            sku="ROSE",
            unit_price_cents=1250,
            vat_rate=20,
            quantity=3,
        )
        CardPayment.objects.create(checkout=checkout, amount_cents=4150, payment_intent_id="pi_x")

    def refund_one(_index: int) -> None:
        order_refund(order_id=order.pk, actor=owner, quantities={line.pk: 1})

    # The Stripe calls are not the point here: only what the refunds record.
    with mock.patch.object(order_refunds, "task_after_commit"):
        errors = in_threads(8, refund_one, committed_town)

    assert len(errors) == 5 and all(isinstance(error, RefundInvalid) for error in errors)
    with inside(committed_town):
        assert OrderRefundLine.objects.filter(line=line).aggregate(n=Sum("quantity"))["n"] == 3
        amounts = list(
            OrderRefund.objects.filter(order=order)
            .order_by("pk")
            .values_list("amount_cents", flat=True)
        )
        # The last item left gives back the delivery fee with it: the order, exactly.
        assert amounts == [1250, 1250, 1650]
        assert Order.objects.get(pk=order.pk).payment_status == Order.PaymentStatus.REFUNDED


def test_a_refund_stripe_refuses_is_recorded_shown_and_made_by_a_retry(
    cart, town_a, client_a, admin_a, fake_stripe, django_capture_on_commit_callbacks, english
):
    florist = cart.orders[0]
    roses, _soap = lines_of(town_a, florist)
    with inside(town_a), django_capture_on_commit_callbacks(execute=False):
        refund = order_refund(order_id=florist.pk, actor=cart.owners[0], quantities={roses.pk: 1})
    # Meanwhile the whole charge but 10 € was given back in Stripe's dashboard (its webhook
    # not come yet): Stripe refuses the 12,50 € refund.
    charged = fake_stripe.charges[cart.intent["latest_charge"]]["amount"]
    fake_stripe.dashboard_refund(cart.intent["id"], charged - 1000)
    with inside(town_a):
        with pytest.raises(StripeUnavailable):
            card_order_refund.run(refund.pk)
        refused = OrderRefund.objects.get(pk=refund.pk)
    assert "greater than unrefunded amount" in refused.refund_error
    assert refused.stripe_refund_id == "" and not fake_stripe.transfer_reversals

    signed_in(client_a, town_a, admin_a.email)
    page = client_a.get("/gestion/remboursements/").content.decode()
    assert "Refund 12,50" in page and "greater than unrefunded amount" in page

    # The dashboard refund is undone at Stripe (as if it never was): the retry makes it.
    fake_stripe.charges[cart.intent["latest_charge"]]["amount_refunded"] = 0
    fake_stripe._replies.clear()  # Stripe's keys expire after 24 hours
    response = client_a.post(f"/gestion/remboursements/{refund.pk}/relancer/", follow=True)
    assert "The refund is complete at Stripe." in response.content.decode()
    with inside(town_a):
        done = OrderRefund.objects.get(pk=refund.pk)
    assert done.stripe_refund_id and done.refund_error == "" and done.stripe_reversal_id
    assert "Refund 12,50" not in client_a.get("/gestion/remboursements/").content.decode()
