"""Towns pay the vendor: a town's subscription through its states, driven by Stripe's webhooks
(from the fake) in any order and replayed; the town's standing it drives (warned, read-only
past the grace period, normal again once paid) with the town's data untouched; the console's
pages and the town administration's, each for its own people only."""

import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import quote_schema_name, schema_context
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing.models import CardPayment, Transfer
from billing.services import subscriptions as service
from billing.services.subscriptions import (
    PlanSpec,
    commission_months_refresh,
    plan_setup,
    subscriptions_grace_enforce,
    town_subscription_create,
)
from billing.shared.models import (
    StripeEvent,
    SubscriptionPlan,
    TownCommissionMonth,
    TownSubscription,
)
from comptoir.send_once.models import SentOnce
from marketplace.orders.models import Cart, Checkout, Order
from tenants.models import Town
from tests.billing.builders import deliver, signed
from tests.conftest import TEST_PASSWORD, host_of, inside, signed_in, user_create
from tests.fakes.stripe_server import FakeStripe
from tests.marketplace.backoffice.builders import shop_create
from tests.marketplace.orders.factories import variant_create

State = TownSubscription.State
Standing = Town.Standing
DAY = 86400
READ_ONLY_TEXT = "This portal is read-only for the time being"
_real_now = timezone.now

TOWN_PLAN = PlanSpec("ville", "Ville (5 000 à 50 000 habitants)", 14_900, 50_000, grace_days=14)
BIG_PLAN = PlanSpec("agglomeration", "Agglomération", 39_900, None, grace_days=7)


class Clock:
    """The platform's and the fake Stripe's time, moved forward together by whole days (as a
    Stripe test clock would): Django's timezone.now and the fake's clock read it."""

    def __init__(self) -> None:
        self.days = 0

    def now(self) -> datetime:
        return _real_now() + timedelta(days=self.days)

    def stamp(self) -> float:
        return time.time() + self.days * DAY


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


@pytest.fixture
def stripe_fake(settings, clock) -> Iterator[FakeStripe]:
    fake = FakeStripe(
        secret_key=settings.STRIPE_SECRET_KEY,
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        clock=clock.stamp,
    ).start()
    settings.STRIPE_API_BASE = fake.url
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def plan(db, stripe_fake) -> SubscriptionPlan:
    return plan_setup(spec=TOWN_PLAN)


def subscription_of(town: Town) -> TownSubscription:
    with schema_context("public"):
        return TownSubscription.objects.select_related("plan", "town").get(town=town)


def standing_of(town: Town) -> str:
    with schema_context("public"):
        return Town.objects.values_list("standing", flat=True).get(pk=town.pk)


def deliver_events(root: Client, capture, events: list[dict]) -> None:
    """POST each event to the webhook as Stripe does (signed now), and run what it queues."""
    with capture(execute=True):
        for event in events:
            assert deliver(root, signed(event)) == 200


def browser_post(url: str, **fields: str) -> int:
    """Submit a form of the fake's hosted pages as a browser would; the status."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), method="POST"
    )
    try:
        with urllib.request.build_opener(NoRedirect).open(request) as answer:
            return answer.status
    except urllib.error.HTTPError as redirect:
        return redirect.code


def town_data(town: Town) -> dict[str, str]:
    """A digest of every table of the town's schema, but the bookkeeping a visit or an e-mail
    writes (sessions, sign-in logs, sent-once claims, last sign-in times)."""
    schema = town.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [schema],
        )
        tables = sorted(
            name
            for (name,) in cursor.fetchall()
            if not name.startswith(("axes_", "django_session", "send_once_"))
        )
        digest = {}
        for table in tables:
            cursor.execute(
                "SELECT md5(coalesce(string_agg((to_jsonb(r) - 'last_login')::text, '|' "
                f"ORDER BY (to_jsonb(r) - 'last_login')::text), '')) "
                f"FROM {quote_schema_name(schema)}.{connection.ops.quote_name(table)} r"
            )
            digest[table] = cursor.fetchone()[0]
    return digest


def english(town: Town) -> Client:
    return Client(HTTP_HOST=host_of(town), HTTP_ACCEPT_LANGUAGE="en")


# --- The journey, driven by webhooks in any order -----------------------------------------

arrivals = st.data()


@hypothesis_settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=arrivals)
def test_a_subscription_through_its_states_in_any_order_and_replayed(
    settings,
    clock,
    town_a,
    admin_a,
    root_client,
    django_capture_on_commit_callbacks,
    mailoutbox,
    data,
):
    capture = django_capture_on_commit_callbacks
    # Examples share the test's transaction: each starts with a fresh Stripe and no subscription.
    clock.days = 0
    with schema_context("public"):
        TownSubscription.objects.filter(town=town_a).delete()
    Town.objects.filter(pk=town_a.pk).update(standing=Standing.GOOD)
    with inside(town_a):
        SentOnce.objects.all().delete()
        Cart.objects.all().delete()
    mailoutbox.clear()
    fake = FakeStripe(
        secret_key=settings.STRIPE_SECRET_KEY,
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        clock=clock.stamp,
    ).start()
    settings.STRIPE_API_BASE = fake.url
    try:
        _journey(fake, clock, town_a, admin_a, root_client, capture, mailoutbox, data)
    finally:
        fake.stop()


def _journey(fake, clock, town_a, admin_a, root_client, capture, mailoutbox, data) -> None:
    plan = plan_setup(spec=TOWN_PLAN)
    shop = shop_create(town_a, name="Fleurs de Lys")
    roses = variant_create(town_a, shop, title="Roses", price_cents=1250, stock=5)
    delivered: list[str] = []  # event ids, in their first arrival
    held: list[str] = []

    def step(*, expect_state: str, expect_standing: str) -> None:
        """Deliver the events Stripe sent since the last step, in a drawn order, some replayed
        and some held back until the next step; then the state is Stripe's."""
        nonlocal held
        events = {event["id"]: event for event in fake.events}
        new = [key for key in events if key not in delivered and key not in held]
        late = data.draw(st.sets(st.sampled_from(new), max_size=len(new) - 1)) if new else set()
        now = [key for key in new if key not in late]
        replays = data.draw(st.lists(st.sampled_from(delivered), max_size=3)) if delivered else []
        arrival = data.draw(st.permutations(now + replays)) + held
        deliver_events(root_client, capture, [events[key] for key in arrival])
        delivered.extend(key for key in now + held if key not in delivered)
        held = [key for key in new if key in late]
        subscription = subscription_of(town_a)
        assert (subscription.state, standing_of(town_a)) == (expect_state, expect_standing)

    before = town_data(town_a)

    # The vendor subscribes the town with a fortnight's trial.
    town_subscription_create(
        town=town_a, plan_id=plan.pk, billing_email="finances@alpha.test", trial_days=14
    )
    step(expect_state=State.TRIAL, expect_standing=Standing.GOOD)
    customer = subscription_of(town_a).stripe_customer_id
    subscription_id = subscription_of(town_a).stripe_subscription_id

    # The trial ends; the card pays the first invoice.
    clock.days = 14
    fake.subscription_period_end(subscription_id)
    step(expect_state=State.ACTIVE, expect_standing=Standing.GOOD)
    assert subscription_of(town_a).next_invoice_cents == 14_900

    # A month later the card is refused: past due, the administrators warned once.
    clock.days = 44
    fake.customer_card_set(customer, works=False)
    unpaid = fake.subscription_period_end(subscription_id)
    step(expect_state=State.PAST_DUE, expect_standing=Standing.PAST_DUE)
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == [admin_a.email, "mairie@alpha.test"]
    assert unpaid["number"] in mailoutbox[0].body
    assert english(town_a).get("/").status_code == 200

    # The grace period (14 days from the invoice) runs out: the sweep makes it read-only.
    clock.days = 44 + 15
    assert subscriptions_grace_enforce() == 1
    step(expect_state=State.PAST_DUE, expect_standing=Standing.READ_ONLY)
    shopper = english(town_a)
    assert shopper.get("/").status_code == 200
    assert shopper.get(f"/produits/{roses.product.slug}/").status_code == 200
    refused = shopper.post("/panier/ajouter/", {"variant_id": roses.pk, "quantity": 1})
    assert refused.status_code == 403
    assert READ_ONLY_TEXT in refused.content.decode()
    admin = signed_in(english(town_a), town_a, admin_a.email)
    page = admin.get("/gestion/").content.decode()
    assert "The portal is read-only: the town’s subscription is unpaid." in page
    assert admin.post("/gestion/").status_code == 403
    with inside(town_a):
        assert not Cart.objects.exists()
    assert town_data(town_a) == before
    # However often the events come back, the warning went once.
    assert len(mailoutbox) == 1

    # The finance department pays the invoice on Stripe's hosted page: normal again at once.
    clock.days = 44 + 16
    assert browser_post(unpaid["hosted_invoice_url"]) == 303
    step(expect_state=State.ACTIVE, expect_standing=Standing.GOOD)
    assert town_data(town_a) == before
    done = english(town_a).post("/panier/ajouter/", {"variant_id": roses.pk, "quantity": 1})
    assert done.status_code == 302
    # Late events (held back) then arrive, and old ones again: nothing changes, each once.
    events = {event["id"]: event for event in fake.events}
    deliver_events(root_client, capture, [events[key] for key in held + delivered[:2]])
    assert (subscription_of(town_a).state, standing_of(town_a)) == (State.ACTIVE, Standing.GOOD)
    with schema_context("public"):
        stored = StripeEvent.objects.filter(stripe_id__in=list(events))
        assert sorted(stored.values_list("stripe_id", flat=True)) == sorted({*delivered, *held})
        assert set(stored.values_list("outcome", flat=True)) == {StripeEvent.Outcome.APPLIED}
    assert len(mailoutbox) == 1


def test_an_event_for_a_customer_no_town_has_is_unrouted(
    stripe_fake, plan, root_client, django_capture_on_commit_callbacks
):
    customer = stripe_fake.customer_create({"name": "Ailleurs"})
    stripe_fake.subscription_create(
        {"customer": customer["id"], "items": [{"price": plan.stripe_price_id}]}
    )

    deliver_events(root_client, django_capture_on_commit_callbacks, stripe_fake.events)

    with schema_context("public"):
        outcomes = set(StripeEvent.objects.values_list("outcome", flat=True))
        assert outcomes == {StripeEvent.Outcome.UNROUTED}
        assert not TownSubscription.objects.exists()


def test_a_cancelled_subscription_leaves_the_town_read_only_and_its_data_whole(
    stripe_fake, plan, town_a, town_b
):
    before = town_data(town_a)
    town_subscription_create(town=town_a, plan_id=plan.pk, billing_email="f@alpha.test")
    assert subscription_of(town_a).state == State.ACTIVE

    service.town_subscription_cancel(town=town_a)

    assert subscription_of(town_a).state == State.CANCELLED
    assert standing_of(town_a) == Standing.READ_ONLY
    assert standing_of(town_b) == Standing.GOOD
    assert town_data(town_a) == before
    response = english(town_a).post("/compte/mot-de-passe/oublie/", {"email": "x@alpha.test"})
    assert response.status_code == 403
    assert READ_ONLY_TEXT in response.content.decode()

    # A new subscription (same Stripe customer) opens it again at once.
    town_subscription_create(town=town_a, plan_id=plan.pk, billing_email="f@alpha.test")
    assert (subscription_of(town_a).state, standing_of(town_a)) == (State.ACTIVE, Standing.GOOD)
    assert len(stripe_fake.customers) == 1


def test_an_older_read_of_stripe_never_overwrites_a_newer_one(stripe_fake, plan, town_a):
    town_subscription_create(town=town_a, plan_id=plan.pk, billing_email="f@alpha.test")
    row = subscription_of(town_a)
    old_read = row.synced_at - timedelta(seconds=1)
    stale = service.stripe_client().v1.subscriptions.retrieve(row.stripe_subscription_id)
    stale["status"] = "past_due"

    service._subscription_apply(
        row_pk=row.pk, subscription=stale, invoices=[], read_at=old_read, now=timezone.now()
    )

    assert (subscription_of(town_a).state, standing_of(town_a)) == (State.ACTIVE, Standing.GOOD)


def test_the_grace_sweep_touches_only_towns_unpaid_past_their_plan(
    stripe_fake, plan, clock, town_a, town_b
):
    short = plan_setup(spec=BIG_PLAN)
    for town, chosen in ((town_a, plan), (town_b, short)):
        town_subscription_create(town=town, plan_id=chosen.pk, billing_email="f@x.test")
        row = subscription_of(town)
        stripe_fake.customer_card_set(row.stripe_customer_id, works=False)
        stripe_fake.subscription_period_end(row.stripe_subscription_id)
        service.subscription_sync(customer_id=row.stripe_customer_id)
    assert (standing_of(town_a), standing_of(town_b)) == (Standing.PAST_DUE, Standing.PAST_DUE)

    clock.days = 8  # past the big plan's 7 days, within the town plan's 14
    assert subscriptions_grace_enforce() == 1
    assert subscriptions_grace_enforce() == 0

    assert (standing_of(town_a), standing_of(town_b)) == (Standing.PAST_DUE, Standing.READ_ONLY)


# --- The console ------------------------------------------------------------------------


@pytest.fixture
def console(db, vendor_staff) -> Client:
    return signed_in(
        Client(HTTP_HOST=settings.ROOT_DOMAIN, HTTP_ACCEPT_LANGUAGE="en"), None, vendor_staff.email
    )


def ledger_row(town: Town, merchant, *, commission_cents: int, at: datetime) -> None:
    """A shop paid from a card payment, as billing's transfer task records it, on `at`."""
    with inside(town):
        number = Checkout.objects.count() + 1
        checkout = Checkout.objects.create(
            idempotency_key=f"sub-{number}",
            reference=f"S{town.pk}X{number}",
            contact_name="Dominique",
            contact_email="dominique@example.org",
            reserved_until=at,
        )
        order = Order.objects.create(
            reference=f"S{town.pk}O{number}",
            checkout=checkout,
            merchant=merchant,
            status=Order.Status.PLACED,
            fulfilment=Order.Fulfilment.RESERVE_PAY_IN_SHOP,
            payment_method="card",
            payment_status=Order.PaymentStatus.PAID,
            subtotal_cents=10_000,
            total_cents=10_000,
        )
        payment = CardPayment.objects.create(checkout=checkout, amount_cents=10_000)
        transfer = Transfer.objects.create(
            card_payment=payment,
            order=order,
            merchant=merchant,
            order_cents=10_000,
            rate_bps=commission_cents,
            commission_cents=commission_cents,
            transfer_cents=10_000 - commission_cents,
        )
        Transfer.objects.filter(pk=transfer.pk).update(created_at=at)


def bare_town_with_ledger(slug: str, *, like: Town) -> Town:
    """A town row whose schema holds only an empty ledger table (cheap, for counting)."""
    from tests.tenants.console.conftest import town_row_create

    town = town_row_create(slug, stats=False)
    table = connection.ops.quote_name(Transfer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quote_schema_name(town.schema_name)}")
        cursor.execute(
            f"CREATE TABLE {quote_schema_name(town.schema_name)}.{table} "
            f"(LIKE {quote_schema_name(like.schema_name)}.{table})"
        )
    return town


@pytest.mark.parametrize("extra_towns", [0, 5])
def test_commission_is_counted_per_town_and_month_in_the_towns_time_zone(
    town_a, town_b, extra_towns, django_assert_num_queries
):
    shop_a, shop_b = shop_create(town_a), shop_create(town_b, name="Bazar")
    this_month = timezone.localdate().replace(day=1)
    paris_midnight = datetime(this_month.year, this_month.month, 1, tzinfo=UTC) - timedelta(
        minutes=30
    )  # 00:30 in Paris on the 1st (winter or summer): this month there, the last one in UTC
    ledger_row(town_a, shop_a, commission_cents=250, at=paris_midnight)
    ledger_row(town_a, shop_a, commission_cents=125, at=timezone.now())
    ledger_row(town_b, shop_b, commission_cents=999, at=paris_midnight - timedelta(days=40))
    for index in range(extra_towns):
        bare_town_with_ledger(f"ledger-{index}", like=town_a)

    # The towns, the schemas with a ledger, one UNION, the delete and the insert (each after
    # django-tenants' SET search_path), whatever the number of towns.
    with django_assert_num_queries(14):
        written = commission_months_refresh()
    # Counted again over the rows of the last count: as many queries.
    with django_assert_num_queries(14):
        assert commission_months_refresh() == written

    assert written == 2
    with schema_context("public"):
        rows = set(
            TownCommissionMonth.objects.values_list(
                "town_id", "month", "commission_cents", "transfers"
            )
        )
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    assert rows == {
        (town_a.pk, this_month, 375, 2),
        (town_b.pk, (last_month - timedelta(days=1)).replace(day=1), 999, 1),
    }


@pytest.mark.parametrize("extra_towns", [0, 6])
def test_the_console_lists_every_town_in_a_constant_number_of_queries(
    console, stripe_fake, plan, town_a, town_b, extra_towns, django_assert_num_queries
):
    from tests.tenants.console.conftest import town_row_create

    town_subscription_create(town=town_a, plan_id=plan.pk, billing_email="f@a.test", trial_days=30)
    for index in range(extra_towns):
        town = town_row_create(f"sub-town-{index}", stats=False)
        TownCommissionMonth.objects.create(
            town=town,
            month=timezone.localdate().replace(day=1),
            commission_cents=index * 100 + 1,
            transfers=1,
            refreshed_at=timezone.now(),
        )
    TownCommissionMonth.objects.create(
        town=town_a,
        month=timezone.localdate().replace(day=1),
        commission_cents=12_345,
        transfers=3,
        refreshed_at=timezone.now(),
    )

    # Session, user, devices, count, page of towns, subscriptions, commissions, counted at.
    with django_assert_num_queries(14):
        response = console.get("/console/abonnements/")

    assert response.status_code == 200
    assert len(response.context["rows"]) == 2 + extra_towns
    body = response.content.decode()
    assert "Ville (5 000 à 50 000 habitants)" in body
    assert "Trial" in body
    assert "123,45\xa0€" in body


def test_the_console_subscribes_changes_and_cancels_a_town(console, stripe_fake, plan, town_a):
    big = plan_setup(spec=BIG_PLAN)
    page = console.get(f"/console/abonnements/villes/{town_a.slug}/")
    assert page.status_code == 200
    assert "Subscribe the town" in page.content.decode()

    response = console.post(
        f"/console/abonnements/villes/{town_a.slug}/",
        {"action": "create", "plan": plan.pk, "billing_email": "f@alpha.test", "trial_days": 10},
    )
    assert response.status_code == 302
    assert subscription_of(town_a).state == State.TRIAL

    response = console.post(
        f"/console/abonnements/villes/{town_a.slug}/", {"action": "change", "plan": big.pk}
    )
    assert response.status_code == 302
    assert subscription_of(town_a).plan == big
    stripe_subscription = stripe_fake.subscriptions[subscription_of(town_a).stripe_subscription_id]
    assert stripe_subscription["items"]["data"][0]["price"]["id"] == big.stripe_price_id

    response = console.post(f"/console/abonnements/villes/{town_a.slug}/", {"action": "cancel"})
    assert response.status_code == 302
    assert (subscription_of(town_a).state, standing_of(town_a)) == (
        State.CANCELLED,
        Standing.READ_ONLY,
    )


def test_the_console_refuses_bad_input_and_changes_nothing(console, stripe_fake, plan, town_a):
    response = console.post(
        f"/console/abonnements/villes/{town_a.slug}/",
        {"action": "create", "plan": 999_999, "billing_email": "not-an-email", "trial_days": 400},
    )

    assert response.status_code == 400
    assert set(response.context["create_form"].errors) == {"plan", "billing_email", "trial_days"}
    with schema_context("public"):
        assert not TownSubscription.objects.exists()
    assert stripe_fake.customers == {}

    town_subscription_create(town=town_a, plan_id=plan.pk, billing_email="f@alpha.test")
    again = console.post(
        f"/console/abonnements/villes/{town_a.slug}/",
        {"action": "create", "plan": plan.pk, "billing_email": "f@alpha.test", "trial_days": 0},
    )
    assert again.status_code == 400
    assert "already has a running subscription" in again.content.decode()
    assert len(stripe_fake.subscriptions) == 1


@pytest.mark.parametrize("path", ["/console/abonnements/", "/console/abonnements/villes/alpha/"])
def test_the_console_pages_are_for_vendor_staff_only(path, town_a, admin_a, client_a):
    # A town's administrator on the town's host: the console is not there.
    assert signed_in(client_a, town_a, admin_a.email).get(path).status_code == 404
    # On the root host: anonymous people sign in first; a public user who is not staff is refused.
    anonymous = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    response = anonymous.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/console/connexion/")
    user_create(None, admin_a.email)
    outsider = signed_in(Client(HTTP_HOST=settings.ROOT_DOMAIN), None, admin_a.email)
    assert outsider.get(path).status_code == 403
    assert outsider.post(path, {"action": "cancel"}).status_code == 403


# --- /gestion/abonnement/ ---------------------------------------------------------------


def test_the_town_admin_sees_invoices_and_opens_the_portal(
    stripe_fake, plan, town_a, admin_a, client_a
):
    town_subscription_create(town=town_a, plan_id=plan.pk, billing_email="f@alpha.test")
    invoice = next(iter(stripe_fake.invoices.values()))
    admin = signed_in(client_a, town_a, admin_a.email)

    page = admin.get("/gestion/abonnement/")
    assert page.status_code == 200
    assert invoice["hosted_invoice_url"] in page.content.decode()

    opened = admin.post("/gestion/abonnement/")
    assert opened.status_code == 302
    session = next(iter(stripe_fake.portal_sessions.values()))
    assert opened["Location"] == session["url"]
    assert session["customer"] == subscription_of(town_a).stripe_customer_id
    assert session["return_url"] == f"http://{host_of(town_a)}/gestion/abonnement/"


def test_the_portal_is_for_that_towns_admins_only(
    english, stripe_fake, plan, town_a, town_b, admin_a, admin_b, client_a, client_b
):
    town_subscription_create(town=town_a, plan_id=plan.pk, billing_email="f@alpha.test")
    # Another town's administrator, on their own host, reaches only their town (which has none).
    other = signed_in(client_b, town_b, admin_b.email)
    assert "no subscription yet" in other.get("/gestion/abonnement/").content.decode()
    assert other.post("/gestion/abonnement/").status_code == 302
    assert stripe_fake.portal_sessions == {}
    # Their account does not exist in town A: no sign-in there.
    with inside(town_a):
        assert not Client(HTTP_HOST=host_of(town_a)).login(
            request=HttpRequest(), email=admin_b.email, password=TEST_PASSWORD
        )
    # A shopper of town A is refused; an anonymous visitor signs in first.
    user_create(town_a, "shopper@alpha.test")
    shopper = signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, "shopper@alpha.test")
    assert shopper.get("/gestion/abonnement/").status_code == 403
    assert shopper.post("/gestion/abonnement/").status_code == 403
    assert client_a.get("/gestion/abonnement/").status_code == 302
    assert stripe_fake.portal_sessions == {}


def test_a_read_only_towns_admin_still_reaches_the_portal(
    stripe_fake, plan, town_a, admin_a, client_a
):
    town_subscription_create(town=town_a, plan_id=plan.pk, billing_email="f@alpha.test")
    service.town_subscription_cancel(town=town_a)
    admin = signed_in(client_a, town_a, admin_a.email)

    assert admin.post("/gestion/commission/", {"rate_bps": 100}).status_code == 403
    assert admin.post("/gestion/abonnement/").status_code == 302
    assert len(stripe_fake.portal_sessions) == 1


def test_the_past_due_banner_shows_in_the_administration_only(
    stripe_fake, plan, town_a, admin_a, client_a
):
    town_subscription_create(town=town_a, plan_id=plan.pk, billing_email="f@alpha.test")
    row = subscription_of(town_a)
    stripe_fake.customer_card_set(row.stripe_customer_id, works=False)
    stripe_fake.subscription_period_end(row.stripe_subscription_id)
    service.subscription_sync(customer_id=row.stripe_customer_id)
    banner = "The town’s subscription has an unpaid invoice."

    admin = signed_in(english(town_a), town_a, admin_a.email)
    assert banner in admin.get("/gestion/").content.decode()
    assert banner not in english(town_a).get("/").content.decode()
