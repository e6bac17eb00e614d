"""Handling Stripe's events: once however often they arrive, the same end whatever their order,
in the town owning the account and no other."""

import logging
from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.db.models.signals import post_save
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing.models import ConnectAccount
from billing.services.events import stripe_event_process, stripe_event_record
from billing.services.reconcile import UNPROCESSED_GRACE, billing_reconcile
from billing.shared.models import ConnectAccountTown, StripeEvent
from billing.stripe_api import stripe_object
from marketplace.directory.models import Category, Merchant
from tests.billing.builders import connected, deliver, signed
from tests.concurrency import in_threads, town_committed
from tests.conftest import inside
from tests.marketplace.backoffice.builders import shop_create

STATE_FIELDS = (
    "details_submitted",
    "charges_enabled",
    "payouts_enabled",
    "requirements_due",
    "requirements_past_due",
    "requirements_deadline",
    "disabled_reason",
    "state_as_of",
    "state_source",
)


def state_of(town, account_id: int) -> dict:
    with inside(town):
        return ConnectAccount.objects.filter(pk=account_id).values(*STATE_FIELDS).get()


class Saves:
    """Every save of a Connect account: what "one state change" counts."""

    def __init__(self) -> None:
        self.accounts: list[int] = []

    def __call__(self, sender, instance, **kwargs) -> None:
        self.accounts.append(instance.pk)

    def __enter__(self) -> "Saves":
        post_save.connect(self, sender=ConnectAccount, weak=False, dispatch_uid="billing-saves")
        return self

    def __exit__(self, *exc) -> None:
        post_save.disconnect(sender=ConnectAccount, dispatch_uid="billing-saves")


def _committed_cleanup(stripe_ids: list[str], account_ids: list[str], merchants: list[int]):
    def cleanup() -> None:
        categories = list(
            Merchant.objects.filter(pk__in=merchants).values_list("category_id", flat=True)
        )
        Merchant.objects.filter(pk__in=merchants).delete()
        Category.objects.filter(pk__in=categories).delete()
        with schema_context("public"):
            StripeEvent.objects.filter(stripe_id__in=stripe_ids).delete()
            ConnectAccountTown.objects.filter(stripe_account_id__in=account_ids).delete()

    return cleanup


def test_the_same_event_ten_times_two_at_once_changes_the_state_once(
    fake_stripe, django_db_blocker
):
    stripe_ids: list[str] = []
    account_ids: list[str] = []
    merchants: list[int] = []
    cleanup = _committed_cleanup(stripe_ids, account_ids, merchants)
    with town_committed(django_db_blocker, cleanup=cleanup) as town:
        merchant = shop_create(town, name="Fleurs en course")
        merchants.append(merchant.pk)
        account = connected(town, merchant)
        account_ids.append(account.stripe_account_id)
        event = fake_stripe.account_update(
            account.stripe_account_id, due=[], deadline=None, enabled=True
        )
        stripe_ids.append(event["id"])
        delivery = fake_stripe.deliveries[-1]
        statuses: list[int] = []

        with Saves() as saves:
            errors = in_threads(
                2,
                lambda _: statuses.append(
                    deliver(Client(HTTP_HOST=settings.ROOT_DOMAIN), delivery)
                ),
                town,
            )
            for _ in range(8):
                statuses.append(deliver(Client(HTTP_HOST=settings.ROOT_DOMAIN), delivery))

        assert errors == []
        assert statuses == [200] * 10
        assert saves.accounts == [account.pk]
        with schema_context("public"):
            stored = StripeEvent.objects.get(stripe_id=event["id"])
        assert (stored.outcome, stored.town_id) == (StripeEvent.Outcome.APPLIED, town.pk)
        assert state_of(town, account.pk)["charges_enabled"] is True


def test_a_stored_event_handled_by_two_workers_at_once_is_applied_once(
    fake_stripe, django_db_blocker
):
    stripe_ids: list[str] = []
    account_ids: list[str] = []
    merchants: list[int] = []
    cleanup = _committed_cleanup(stripe_ids, account_ids, merchants)
    with town_committed(django_db_blocker, cleanup=cleanup) as town:
        merchant = shop_create(town, name="Fleurs en double")
        merchants.append(merchant.pk)
        account = connected(town, merchant)
        account_ids.append(account.stripe_account_id)
        event = fake_stripe.account_update(
            account.stripe_account_id, due=[], deadline=None, enabled=True
        )
        stripe_ids.append(event["id"])
        # Stored as the intake stores it, its task lost (the worker died before running it).
        with schema_context("public"):
            StripeEvent.objects.create(
                stripe_id=event["id"],
                type=event["type"],
                account=event["account"],
                created=timezone.now(),
                payload=event,
            )
        outcomes: list[str] = []

        with Saves() as saves:
            errors = in_threads(
                2, lambda _: outcomes.append(stripe_event_process(stripe_id=event["id"])), town
            )

        assert errors == []
        assert outcomes == [StripeEvent.Outcome.APPLIED] * 2
        assert saves.accounts == [account.pk]


# --- Any order ------------------------------------------------------------------------------

reports = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # seconds after the first: ties happen
        st.booleans(),  # enabled
        st.lists(st.sampled_from(["external_account", "individual.verification.document"])),
        st.one_of(st.none(), st.integers(min_value=1_900_000_000, max_value=1_900_100_000)),
    ),
    min_size=2,
    max_size=5,
)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reports=reports, data=st.data())
def test_account_updated_in_any_order_ends_in_the_newest_state(
    fake_stripe, town_a, shop_a, reports, data
):
    # Examples share the test's transaction: one account, its state forgotten each time.
    with inside(town_a):
        account = ConnectAccount.objects.filter(merchant=shop_a).first()
    if account is None:
        account = connected(town_a, shop_a)
    with inside(town_a):
        ConnectAccount.objects.filter(pk=account.pk).update(state_as_of=0, state_source="")
    events = []
    for offset, enabled, due, deadline in reports:
        fake_stripe.clock = lambda offset=offset: 1_800_000_000 + offset
        events.append(
            fake_stripe.account_update(
                account.stripe_account_id, due=due, deadline=deadline, enabled=enabled
            )
        )
    newest = max(events, key=lambda event: (event["created"], event["id"]))
    arrival = data.draw(st.permutations(events))

    for event in arrival:
        stripe_event_record(event=stripe_object(event))
        stripe_event_process(stripe_id=event["id"])

    final = state_of(town_a, account.pk)
    requirements = newest["data"]["object"]["requirements"]
    assert (final["state_as_of"], final["state_source"]) == (newest["created"], newest["id"])
    assert final["charges_enabled"] is newest["data"]["object"]["charges_enabled"]
    assert final["requirements_due"] == requirements["currently_due"]
    assert (final["requirements_deadline"] is None) is (requirements["current_deadline"] is None)


# --- Towns ----------------------------------------------------------------------------------


def test_a_connect_event_for_town_as_merchant_never_touches_town_b(
    root_client, fake_stripe, town_a, town_b, shop_a, shop_b, django_capture_on_commit_callbacks
):
    account_a = connected(town_a, shop_a)
    account_b = connected(town_b, shop_b)
    b_before = state_of(town_b, account_b.pk)
    event = fake_stripe.account_update(
        account_a.stripe_account_id, due=[], deadline=None, enabled=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(root_client, signed(event)) == 200

    assert state_of(town_a, account_a.pk)["charges_enabled"] is True
    assert state_of(town_b, account_b.pk) == b_before
    assert StripeEvent.objects.get().town_id == town_a.pk


def test_an_event_for_an_account_no_town_owns_is_logged_and_ignored(
    root_client, fake_stripe, town_a, town_b, shop_a, shop_b, caplog,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    account_a = connected(town_a, shop_a)
    account_b = connected(town_b, shop_b)
    before = (state_of(town_a, account_a.pk), state_of(town_b, account_b.pk))
    stranger = fake_stripe.account_create({"type": "express"})
    event = fake_stripe.account_update(stranger["id"], due=[], deadline=None, enabled=True)

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        assert deliver(root_client, signed(event)) == 200

    assert (state_of(town_a, account_a.pk), state_of(town_b, account_b.pk)) == before
    stored = StripeEvent.objects.get()
    assert (stored.outcome, stored.town_id) == (StripeEvent.Outcome.UNROUTED, None)
    assert f"no town owns account {stranger['id']}" in caplog.text


# --- Reconciliation -------------------------------------------------------------------------


def test_reconcile_repairs_a_missed_webhook_once(
    fake_stripe, town_a, shop_a, django_capture_on_commit_callbacks
):
    account = connected(town_a, shop_a)
    # Stripe emits the event; its webhook never arrives.
    event = fake_stripe.account_update(
        account.stripe_account_id, due=[], deadline=None, enabled=True
    )
    assert state_of(town_a, account.pk)["charges_enabled"] is False

    output = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("billing_reconcile", stdout=output)
    again = StringIO()
    with Saves() as saves, django_capture_on_commit_callbacks(execute=True):
        call_command("billing_reconcile", stdout=again)

    assert state_of(town_a, account.pk)["state_source"] == event["id"]
    assert state_of(town_a, account.pk)["charges_enabled"] is True
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.APPLIED
    assert output.getvalue().startswith("1 events listed, 1 recorded now, 0 queued again.")
    assert again.getvalue().startswith("1 events listed, 0 recorded now, 0 queued again.")
    assert saves.accounts == []


def test_reconcile_handles_a_stored_event_whose_task_was_lost(fake_stripe, town_a, shop_a):
    account = connected(town_a, shop_a)
    event = fake_stripe.account_update(
        account.stripe_account_id, due=[], deadline=None, enabled=True
    )
    stored = StripeEvent.objects.create(
        stripe_id=event["id"],
        type=event["type"],
        account=event["account"],
        created=timezone.now(),
        payload=event,
    )
    StripeEvent.objects.filter(pk=stored.pk).update(
        received_at=timezone.now() - UNPROCESSED_GRACE - timedelta(seconds=1)
    )

    report = billing_reconcile()

    assert (report.listed, report.recorded, report.requeued) == (1, 0, 1)
    stored.refresh_from_db()
    assert stored.outcome == StripeEvent.Outcome.APPLIED
    assert state_of(town_a, account.pk)["charges_enabled"] is True


def test_reconcile_goes_on_past_an_account_stripe_will_not_list(
    fake_stripe, town_a, town_b, shop_a, shop_b, django_capture_on_commit_callbacks
):
    gone = connected(town_a, shop_a)
    kept = connected(town_b, shop_b)
    del fake_stripe.accounts[gone.stripe_account_id]
    fake_stripe.account_update(kept.stripe_account_id, due=[], deadline=None, enabled=True)

    with django_capture_on_commit_callbacks(execute=True):
        report = billing_reconcile()

    assert (report.listed, report.recorded, report.failed) == (1, 1, 1)
    assert state_of(town_b, kept.pk)["charges_enabled"] is True
