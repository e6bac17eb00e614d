"""Payouts: Stripe's payouts of a shop's balance to its bank, recorded from the account's
payout.* events whatever their order and however often they come, repaired by the
reconciliation, and shown on the shop's payments page with its card payments and monthly
statements, to that shop's members only."""

import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
import stripe
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import ConnectAccount, Payout
from billing.services.events import stripe_event_process, stripe_event_record
from billing.services.reconcile import billing_reconcile
from billing.shared.models import StripeEvent
from billing.stripe_api import stripe_object
from tests.billing.builders import connected, deliver
from tests.billing.test_event_handling import _committed_cleanup
from tests.billing.test_statement import MID_NOVEMBER, card_sale, payout_of, rows_of
from tests.concurrency import in_threads, town_committed
from tests.conftest import host_of, inside, signed_in
from tests.marketplace.backoffice.builders import shop_create

BALANCE = 12_345
# Stripe's clock: an hour ago, inside the reconciliation's window.
T0 = int(time.time()) - 3600


def enabled(town, fake, shop) -> ConnectAccount:
    """The shop's Connect account, open to charges and payouts at the fake."""
    account = connected(town, shop)
    fake.account_update(account.stripe_account_id, due=[], deadline=None, enabled=True)
    return account


def payout_events(
    fake, account_id: str, *, ending: str, same_second: bool, start: int = T0
) -> list[dict]:
    """A payout of the account's balance made, on its way, then `ending` ("paid", "failed"),
    all in second `start` or one second apart: its three events, in the order Stripe made
    them."""
    seconds = itertools.count(start)
    fake.clock = (lambda: start) if same_second else (lambda: next(seconds))
    fake.balances[account_id] = BALANCE
    first = len(fake.events)
    payout = fake.payout_make(account_id)
    assert payout is not None
    fake.payout_advance(payout["id"], "in_transit")
    fake.payout_advance(payout["id"], ending)
    return fake.events[first:]


def handle(event: dict) -> str | None:
    """Record and process an event as the intake and its task do; the outcome, None when it
    was stored already."""
    row = stripe_event_record(event=cast(stripe.Event, stripe_object(event)))
    return stripe_event_process(stripe_id=event["id"]) if row else None


def payouts_in(town) -> list[tuple]:
    with inside(town):
        return list(
            Payout.objects.values_list(
                "stripe_payout_id", "status", "amount_cents", "currency", "arrival_date"
            )
        )


# --- Any order, any number of times ---------------------------------------------------------


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
@pytest.mark.parametrize("same_second", [True, False])
@pytest.mark.parametrize("ending", ["paid", "failed"])
def test_payout_events_in_any_order_and_replayed_end_in_one_row_in_the_last_state(
    fake_stripe, town_a, shop_a, order, same_second, ending
):
    account = enabled(town_a, fake_stripe, shop_a)
    events = payout_events(
        fake_stripe, account.stripe_account_id, ending=ending, same_second=same_second
    )
    assert [event["type"] for event in events] == [
        "payout.created",
        "payout.updated",
        f"payout.{ending}",
    ]
    payout = events[-1]["data"]["object"]

    outcomes = [handle(events[index]) for index in order]
    replayed = [handle(events[index]) for index in order]

    arrival = datetime.fromtimestamp(payout["arrival_date"], tz=UTC).date()
    assert payouts_in(town_a) == [(payout["id"], ending, BALANCE, "eur", arrival)]
    with inside(town_a):
        row = Payout.objects.get()
    assert (row.account_id, row.state_source) == (account.pk, events[-1]["id"])
    assert (row.failure_message != "") is (ending == "failed")
    assert outcomes[0] == StripeEvent.Outcome.APPLIED
    # The last of Stripe's events is applied whenever it comes; the others only before it.
    assert outcomes[order.index(2)] == StripeEvent.Outcome.APPLIED
    assert replayed == [None, None, None]


def test_payout_webhooks_delivered_twice_backwards_record_the_payout_once(
    root_client, fake_stripe, town_a, shop_a, django_capture_on_commit_callbacks
):
    account = enabled(town_a, fake_stripe, shop_a)
    start = len(fake_stripe.deliveries)
    # Signed now: a webhook signed more than 300 s ago is refused.
    payout_events(
        fake_stripe,
        account.stripe_account_id,
        ending="paid",
        same_second=True,
        start=int(time.time()),
    )
    deliveries = fake_stripe.deliveries[start:]

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [deliver(root_client, delivery) for delivery in [*deliveries[::-1]] * 2]

    assert statuses == [200] * 6
    [(_id, status, amount, *_rest)] = payouts_in(town_a)
    assert (status, amount) == ("paid", BALANCE)
    outcomes = dict(
        StripeEvent.objects.filter(type__startswith="payout.").values_list("type", "outcome")
    )
    assert outcomes == {
        "payout.paid": StripeEvent.Outcome.APPLIED,
        "payout.updated": StripeEvent.Outcome.OUTDATED,
        "payout.created": StripeEvent.Outcome.OUTDATED,
    }


def test_two_first_reports_of_a_payout_at_once_make_one_row(fake_stripe, django_db_blocker):
    stripe_ids: list[str] = []
    account_ids: list[str] = []
    merchants: list[int] = []
    shared_cleanup = _committed_cleanup(stripe_ids, account_ids, merchants)

    def cleanup() -> None:
        Payout.objects.filter(account__merchant_id__in=merchants).delete()
        shared_cleanup()

    with town_committed(django_db_blocker, cleanup=cleanup) as town:
        # Cleaned up even when an assertion fails (the rows are committed).
        try:
            merchant = shop_create(town, name="Fleurs pressées")
            merchants.append(merchant.pk)
            account = enabled(town, fake_stripe, merchant)
            account_ids.append(account.stripe_account_id)
            created, _updated, paid = payout_events(
                fake_stripe, account.stripe_account_id, ending="paid", same_second=True
            )
            # Stored as the intake stores them; two workers then handle them at the same instant,
            # the payout's row not there yet.
            for event in (created, paid):
                stripe_ids.append(event["id"])
                StripeEvent.objects.create(
                    stripe_id=event["id"],
                    type=event["type"],
                    account=event["account"],
                    created=timezone.now(),
                    payload=event,
                )
            outcomes: list[str] = []

            errors = in_threads(
                2,
                lambda index: outcomes.append(stripe_event_process(stripe_id=stripe_ids[index])),
                town,
            )

            assert errors == []
            assert StripeEvent.Outcome.APPLIED in outcomes
            [(_id, status, amount, *_rest)] = payouts_in(town)
            assert (status, amount) == ("paid", BALANCE)
        finally:
            with inside(town):
                cleanup()


def test_a_payout_event_for_town_as_shop_never_reaches_town_b(
    fake_stripe, town_a, town_b, shop_a, shop_b
):
    account_a = enabled(town_a, fake_stripe, shop_a)
    enabled(town_b, fake_stripe, shop_b)
    stranger = fake_stripe.account_create({"type": "express"})["id"]
    fake_stripe.balances[stranger] = 999
    fake_stripe.payout_make(stranger)
    events = payout_events(
        fake_stripe, account_a.stripe_account_id, ending="paid", same_second=False
    )

    for event in [fake_stripe.events[-4], *events]:
        handle(event)

    assert [row[1] for row in payouts_in(town_a)] == ["paid"]
    assert payouts_in(town_b) == []
    unrouted = StripeEvent.objects.get(account=stranger)
    assert (unrouted.outcome, unrouted.town_id) == (StripeEvent.Outcome.UNROUTED, None)
    assert set(
        StripeEvent.objects.filter(account=account_a.stripe_account_id)
        .exclude(type="account.updated")
        .values_list("town_id", flat=True)
    ) == {town_a.pk}


# --- Reconciliation -------------------------------------------------------------------------


# What a second reconciliation must leave as it was (which report set it may move: an event
# of the same second as the reading wins it).
KEPT = ("status", "amount_cents", "arrival_date", "updated_at")


def test_reconcile_repairs_a_missed_payout_webhook_once(
    fake_stripe, town_a, shop_a, django_capture_on_commit_callbacks
):
    account = enabled(town_a, fake_stripe, shop_a)
    fake_stripe.balances[account.stripe_account_id] = BALANCE
    payout = fake_stripe.payout_make(account.stripe_account_id)
    fake_stripe.payout_advance(payout["id"], "paid")  # no webhook ever arrives

    with django_capture_on_commit_callbacks(execute=True):
        report = billing_reconcile()
    with inside(town_a):
        first = Payout.objects.values(*KEPT).get()
    with django_capture_on_commit_callbacks(execute=True):
        again = billing_reconcile()

    assert (report.payouts, report.payouts_failed) == (1, 0)
    assert first["status"] == "paid"
    assert payouts_in(town_a)[0][:3] == (payout["id"], "paid", BALANCE)
    with inside(town_a):
        assert Payout.objects.values(*KEPT).get() == first
    assert (again.recorded, again.payouts) == (0, 1)


def test_reconcile_records_a_payout_whose_events_stripe_no_longer_has(
    fake_stripe, town_a, town_b, shop_a, shop_b, django_capture_on_commit_callbacks
):
    account = enabled(town_a, fake_stripe, shop_a)
    enabled(town_b, fake_stripe, shop_b)
    fake_stripe.balances[account.stripe_account_id] = BALANCE
    payout = fake_stripe.payout_make(account.stripe_account_id)
    fake_stripe.payout_advance(payout["id"], "in_transit")
    # Stripe keeps events 30 days; the payout outlives them.
    fake_stripe.events.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report = billing_reconcile()

    assert report.listed == 0
    assert payouts_in(town_a)[0][:3] == (payout["id"], "in_transit", BALANCE)
    assert payouts_in(town_b) == []
    with inside(town_a):
        assert Payout.objects.get().state_source == ""


def test_an_event_older_than_what_the_reconciliation_read_changes_nothing(
    fake_stripe, town_a, shop_a, django_capture_on_commit_callbacks
):
    account = enabled(town_a, fake_stripe, shop_a)
    events = payout_events(fake_stripe, account.stripe_account_id, ending="paid", same_second=False)
    fake_stripe.events.clear()  # the listing of payouts alone reads it
    with django_capture_on_commit_callbacks(execute=True):
        billing_reconcile()

    outcome = handle(events[0])  # payout.created, arriving late

    assert outcome == StripeEvent.Outcome.OUTDATED
    assert payouts_in(town_a)[0][1] == "paid"


# --- The fake's automatic payouts -----------------------------------------------------------


def test_the_fake_pays_out_an_enabled_accounts_transfers_then_pays_the_payout(
    fake_stripe, town_a, shop_a
):
    account = enabled(town_a, fake_stripe, shop_a)
    unready = connected(town_a, shop_create(town_a, name="Pas prête"))
    fake_stripe.balances[unready.stripe_account_id] = 500
    fake_stripe.balances[account.stripe_account_id] = 3_000

    fake_stripe.payouts_run()
    [made] = fake_stripe.payouts.values()
    fake_stripe.payouts_run()

    assert made["amount"] == 3_000
    assert fake_stripe.payouts[made["id"]]["status"] == "paid"
    assert fake_stripe.balances == {account.stripe_account_id: 0, unready.stripe_account_id: 500}
    assert [event["type"] for event in fake_stripe.events[-2:]] == [
        "payout.created",
        "payout.paid",
    ]
    assert len(fake_stripe.payouts) == 1  # nothing left to pay out the second time


# --- The payments page ----------------------------------------------------------------------


@pytest.fixture
def owner_client(client_a: Client, town_a, shop_a) -> Client:
    return signed_in(client_a, town_a, "owner@alpha.test")


@pytest.fixture
def rival_a(town_a):
    """Another shop of the same town, with its own owner."""
    return shop_create(town_a, name="Au Panier Rival", owner="rival@alpha.test")


def test_the_page_lists_the_shops_card_payments_and_payouts(english, owner_client, town_a, shop_a):
    sale = card_sale(town_a, shop_a, total=2_500, rate_bps=800)
    payout_of(town_a, shop_a, amount=2_300, status=Payout.Status.IN_TRANSIT)

    page = owner_client.get("/boutique/paiements/").content.decode()

    assert sale.order.reference in page
    assert "25,00\xa0€" in page and "2,00\xa0€" in page and "23,00\xa0€" in page
    assert "on its way to the bank" in page
    assert "17 November 2026" in page  # the arrival date
    assert '<option value="2026-11">November 2026</option>' in page


def test_each_list_pages_on_its_own(english, owner_client, town_a, shop_a):
    oldest = card_sale(town_a, shop_a, total=1_111, rate_bps=0, at=MID_NOVEMBER - timedelta(days=9))
    for day in range(20):
        card_sale(
            town_a, shop_a, total=1_000 + day, rate_bps=0, at=MID_NOVEMBER + timedelta(hours=day)
        )
    for day in range(11):
        payout_of(town_a, shop_a, amount=100 + day, at=MID_NOVEMBER + timedelta(days=day))

    first = owner_client.get("/boutique/paiements/").content.decode()
    second = owner_client.get("/boutique/paiements/?virements=1&ventes=2").content.decode()

    assert oldest.order.reference not in first
    assert oldest.order.reference in second
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "?virements=1&amp;ventes=2#payments-transfers" in first
    assert "?ventes=1&amp;virements=2#payments-payouts" in first


def test_the_page_costs_the_same_queries_whatever_the_number_of_rows(
    owner_client, town_a, shop_a, django_assert_num_queries
):
    card_sale(town_a, shop_a, total=1_000, rate_bps=500)
    payout_of(town_a, shop_a, amount=950)
    owner_client.get("/boutique/paiements/")
    with CaptureQueriesContext(connection) as few:
        owner_client.get("/boutique/paiements/")
    for day in range(30):
        card_sale(
            town_a, shop_a, total=1_000, rate_bps=500, at=MID_NOVEMBER - timedelta(days=day * 10)
        )
        payout_of(town_a, shop_a, amount=950, at=MID_NOVEMBER - timedelta(days=day * 10))

    with django_assert_num_queries(len(few)):
        owner_client.get("/boutique/paiements/")
    with django_assert_num_queries(len(few)):
        owner_client.get("/boutique/paiements/?ventes=2&virements=3")
    assert len(few) <= 20


def test_the_statement_downloads_as_csv(english, owner_client, town_a, shop_a):
    sale = card_sale(town_a, shop_a, total=2_500, rate_bps=800)

    picked = owner_client.get("/boutique/paiements/releve/?mois=2026-11")
    response = owner_client.get(picked["Location"])

    assert picked["Location"] == "/boutique/paiements/releve/2026-11/"
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="releve-{shop_a.slug}-2026-11.csv"'
    )
    rows = rows_of(response.content)
    assert [row[2] for row in rows[1:-1]] == [sale.order.reference] * 2
    assert rows[-1][4:] == ["25,00", "-2,00", "23,00"]


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "novembre", "1999-12"])
def test_a_month_that_is_not_one_is_refused(english, owner_client, shop_a, month):
    assert owner_client.get(f"/boutique/paiements/releve/{month}/").status_code == 404
    picked = owner_client.get(f"/boutique/paiements/releve/?mois={month}", follow=True)
    assert picked.redirect_chain[-1][0] == "/boutique/paiements/"
    assert "Choose a month in the list." in picked.content.decode()


# --- Only the shop's own --------------------------------------------------------------------


def test_another_shop_of_the_town_sees_none_of_it(town_a, shop_a, rival_a):
    sale = card_sale(town_a, shop_a, total=2_500, rate_bps=800)
    payout = payout_of(town_a, shop_a, amount=2_300)
    rival_sale = card_sale(town_a, rival_a, total=4_000, rate_bps=800)
    rival = signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, "rival@alpha.test")
    theirs = f"?boutique={shop_a.slug}"

    own_page = rival.get("/boutique/paiements/").content.decode()
    own_rows = rows_of(rival.get("/boutique/paiements/releve/2026-11/").content)

    assert rival.get(f"/boutique/paiements/{theirs}").status_code == 403
    assert rival.get(f"/boutique/paiements/releve/2026-11/{theirs}").status_code == 403
    assert rival.get(f"/boutique/paiements/releve/{theirs}&mois=2026-11").status_code == 403
    assert sale.order.reference not in own_page and payout.stripe_payout_id not in own_page
    assert rival_sale.order.reference in own_page
    assert {row[2] for row in own_rows[1:-1]} == {rival_sale.order.reference}


@pytest.mark.parametrize("path", ["/boutique/paiements/", "/boutique/paiements/releve/2026-11/"])
def test_a_merchant_of_town_b_reaches_nothing_of_town_a(town_a, town_b, shop_a, shop_b, path):
    sale = card_sale(town_a, shop_a, total=2_500, rate_bps=800)
    payout_of(town_a, shop_a, amount=2_300)
    client = signed_in(Client(HTTP_HOST=host_of(town_b)), town_b, "owner@beta.test")

    own = client.get(path)
    client.defaults["HTTP_HOST"] = host_of(town_a)
    across = client.get(path)

    assert own.status_code == 200
    assert sale.order.reference not in own.content.decode("utf-8-sig")
    assert across.status_code == 302
    assert across["Location"].startswith("/compte/connexion/")
    with inside(town_b):
        assert not Payout.objects.exists()


def test_the_statement_of_a_month_without_activity_is_empty_but_balanced(
    owner_client, town_a, shop_a
):
    card_sale(town_a, shop_a, total=2_500, rate_bps=800)

    rows = rows_of(owner_client.get("/boutique/paiements/releve/2026-10/").content)

    assert len(rows) == 2
    assert rows[-1][4:] == ["0,00", "0,00", "0,00"]
