"""Towns pay the vendor: plans as Stripe Prices, each town's subscription (created and changed
from the console), Stripe's hosted invoices and customer portal for the town's finance
department, and the subscription's state driving the town's standing.

Stripe is the one truth of a subscription. Every event about one (customer.subscription.*,
invoice.*) only says "this customer changed": the handler reads the customer's newest
subscription and its invoices back from Stripe and records what it says, so events arriving
in any order, late or twice end in Stripe's current state. A read is applied only when it is
newer than the one recorded (`synced_at`), so two handlers racing cannot put an old state back.

The town's standing follows (tenants' `town_standing_set`): an unpaid invoice warns its
administrators (a banner in /gestion/ and one e-mail per invoice); unpaid `grace_days` after
the invoice was issued, the portal is read-only (pages read, writes refused with a clear page,
nothing deleted); paid again, it is back to normal at once. A cancelled subscription leaves the
town read-only until a new one starts. Stripe is called outside every lock.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import stripe
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tenants.utils import get_public_schema_name, quote_schema_name, schema_context

from billing.errors import StripeUnavailable, SubscriptionInvalid
from billing.models import Transfer
from billing.shared.models import (
    StripeEvent,
    SubscriptionInvoice,
    SubscriptionPlan,
    TownCommissionMonth,
    TownSubscription,
)
from billing.stripe_api import stripe_client
from comptoir.accounts.models import User
from comptoir.celery import task_after_commit
from comptoir.french import of_name
from comptoir.send_once.services import send_once
from comptoir.town import current_town
from tenants.models import Town
from tenants.services.lifecycle import town_standing_set

logger = logging.getLogger(__name__)

State = TownSubscription.State
Standing = Town.Standing
Outcome = StripeEvent.Outcome

# The webhook events to subscribe the endpoint to (see the README).
SUBSCRIPTION_EVENT_TYPES = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.finalized",
    "invoice.paid",
    "invoice.payment_failed",
)
_STATE_OF_STRIPE_STATUS = {
    "trialing": State.TRIAL,
    "active": State.ACTIVE,
    "past_due": State.PAST_DUE,
    "unpaid": State.PAST_DUE,
    "incomplete": State.PAST_DUE,
    "paused": State.PAST_DUE,
    "canceled": State.CANCELLED,
    "incomplete_expired": State.CANCELLED,
}
_PUBLIC = get_public_schema_name
# Invoices kept per town (the /gestion/ page lists them, newest first).
INVOICES_KEPT = 24
# How many towns' schemas one commission query reads (a UNION ALL of their aggregates).
COMMISSION_SCHEMAS_PER_QUERY = 250


# --- Plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSpec:
    code: str
    name: str
    amount_cents: int
    population_max: int | None
    grace_days: int = 14
    interval: str = "month"


# Population bands: what `billing_plans_setup` creates when Stripe has no such prices yet.
DEFAULT_PLANS = (
    PlanSpec("commune", "Commune (jusqu’à 5 000 habitants)", 4_900, 5_000, grace_days=21),
    PlanSpec("ville", "Ville (5 000 à 50 000 habitants)", 14_900, 50_000),
    PlanSpec("agglomeration", "Agglomération (plus de 50 000 habitants)", 39_900, None),
)


def plan_lookup_key(code: str) -> str:
    return f"comptoir-town-{code}"


def plan_setup(*, spec: PlanSpec) -> SubscriptionPlan:
    """The plan `spec` names, its Stripe Price found by lookup key (`comptoir-town-<code>`) or
    created once (idempotency keys: a retry creates nothing twice). Run again, it keeps the
    plan's Stripe price and updates its name and grace period."""
    client = stripe_client()
    try:
        found = client.v1.prices.list(params={"lookup_keys": [plan_lookup_key(spec.code)]})
        price = found.data[0] if found.data else None
        if price is None:
            product = client.v1.products.create(
                params={"name": spec.name, "metadata": {"plan": spec.code}},
                options={"idempotency_key": f"plan-product:{spec.code}"},
            )
            price = client.v1.prices.create(
                params={
                    "product": product.id,
                    "currency": "eur",
                    "unit_amount": spec.amount_cents,
                    "recurring": {"interval": cast(Any, spec.interval)},
                    "lookup_key": plan_lookup_key(spec.code),
                    "nickname": spec.name,
                    "metadata": {"plan": spec.code},
                },
                options={"idempotency_key": f"plan-price:{spec.code}"},
            )
    except stripe.StripeError as error:
        logger.warning("Stripe refused the plan %s: %s", spec.code, error)
        raise StripeUnavailable from error
    with schema_context(_PUBLIC()), transaction.atomic():
        plan, _new = SubscriptionPlan.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "population_max": spec.population_max,
                "amount_cents": price.unit_amount or 0,
                "interval": price.recurring.interval if price.recurring else spec.interval,
                "grace_days": spec.grace_days,
                "stripe_price_id": price.id,
            },
        )
    return plan


def plans_default_setup() -> list[SubscriptionPlan]:
    return [plan_setup(spec=spec) for spec in DEFAULT_PLANS]


# --- The console's actions ----------------------------------------------------------------


def _plan_offered(plan_id: int) -> SubscriptionPlan:
    with schema_context(_PUBLIC()):
        plan = SubscriptionPlan.objects.filter(pk=plan_id, active=True).first()
    if plan is None:
        raise SubscriptionInvalid(SubscriptionInvalid.PLAN)
    return plan


def town_subscription_create(
    *, town: Town, plan_id: int, billing_email: str, trial_days: int = 0
) -> TownSubscription:
    """Subscribe a town to a plan: its Stripe customer (the finance department, key
    `town-customer:<schema>`), then the subscription (with `trial_days` of trial), then the
    state Stripe gives. A town whose subscription is cancelled may subscribe again (same
    customer); one with a running subscription may not."""
    plan = _plan_offered(plan_id)
    if not 0 <= trial_days <= 90:
        raise SubscriptionInvalid(SubscriptionInvalid.TRIAL)
    with schema_context(_PUBLIC()):
        existing = TownSubscription.objects.filter(town=town).first()
    if existing is not None and existing.state not in (State.CANCELLED, State.PENDING):
        raise SubscriptionInvalid(SubscriptionInvalid.EXISTS)
    client = stripe_client()
    try:
        if existing is None:
            customer = client.v1.customers.create(
                params={
                    "name": town.name,
                    "email": billing_email,
                    "preferred_locales": ["fr"],
                    "metadata": {"town": town.schema_name},
                },
                options={"idempotency_key": f"town-customer:{town.schema_name}"},
            )
            with schema_context(_PUBLIC()), transaction.atomic():
                existing, _new = TownSubscription.objects.get_or_create(
                    town=town,
                    defaults={
                        "plan": plan,
                        "billing_email": billing_email,
                        "stripe_customer_id": customer.id,
                    },
                )
        # The subscription this one follows names the key: a retry creates it once, and a new
        # subscription after a cancellation is a new one.
        after = existing.stripe_subscription_id or "first"
        params: dict[str, Any] = {
            "customer": existing.stripe_customer_id,
            "items": [{"price": plan.stripe_price_id}],
            "metadata": {"town": town.schema_name, "plan": plan.code},
        }
        if trial_days:
            params["trial_period_days"] = trial_days
        client.v1.subscriptions.create(
            params=cast(Any, params),
            options={"idempotency_key": f"town-subscription:{town.schema_name}:{after}"},
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a subscription for %s: %s", town.schema_name, error)
        raise StripeUnavailable from error
    with schema_context(_PUBLIC()):
        TownSubscription.objects.filter(pk=existing.pk).update(
            plan=plan, billing_email=billing_email
        )
    synced = subscription_sync(customer_id=existing.stripe_customer_id)
    assert synced is not None  # the row was written above
    return synced


def _running(town: Town) -> TownSubscription:
    with schema_context(_PUBLIC()):
        row = TownSubscription.objects.filter(town=town).first()
    if row is None or not row.stripe_subscription_id or row.state == State.CANCELLED:
        raise SubscriptionInvalid(SubscriptionInvalid.NONE)
    return row


def town_subscription_plan_change(*, town: Town, plan_id: int) -> TownSubscription:
    """Move a running subscription to another plan (Stripe prorates the period)."""
    plan = _plan_offered(plan_id)
    row = _running(town)
    client = stripe_client()
    try:
        subscription = client.v1.subscriptions.retrieve(row.stripe_subscription_id)
        item = subscription["items"].data[0]
        client.v1.subscriptions.update(
            row.stripe_subscription_id,
            params={
                "items": [{"id": item.id, "price": plan.stripe_price_id}],
                "proration_behavior": "create_prorations",
                "metadata": {"plan": plan.code},
            },
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused the plan change of %s: %s", town.schema_name, error)
        raise StripeUnavailable from error
    synced = subscription_sync(customer_id=row.stripe_customer_id)
    assert synced is not None
    return synced


def town_subscription_cancel(*, town: Town) -> TownSubscription:
    """End a town's subscription now; the town becomes read-only (its data is kept)."""
    row = _running(town)
    try:
        stripe_client().v1.subscriptions.cancel(row.stripe_subscription_id)
    except stripe.StripeError as error:
        logger.warning("Stripe refused to cancel %s: %s", row.stripe_subscription_id, error)
        raise StripeUnavailable from error
    synced = subscription_sync(customer_id=row.stripe_customer_id)
    assert synced is not None
    return synced


def subscription_portal_url(*, town: Town, return_url: str) -> str:
    """A session of Stripe's customer portal for the town's finance department (cards,
    invoices, billing details); it sends them back to `return_url`."""
    with schema_context(_PUBLIC()):
        row = TownSubscription.objects.filter(town=town).first()
    if row is None:
        raise SubscriptionInvalid(SubscriptionInvalid.NONE)
    try:
        session = stripe_client().v1.billing_portal.sessions.create(
            params={"customer": row.stripe_customer_id, "return_url": return_url, "locale": "fr"}
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a portal session for %s: %s", town.schema_name, error)
        raise StripeUnavailable from error
    return session.url


# --- Stripe's word, recorded ------------------------------------------------------------


def _at(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def _invoice_subscription_id(invoice: stripe.Invoice) -> str:
    parent = invoice.parent
    details = parent.subscription_details if parent else None
    subscription = details.subscription if details else None
    return subscription if isinstance(subscription, str) else getattr(subscription, "id", "")


def standing_of(
    *, state: str, past_due_since: datetime | None, grace_days: int, now: datetime
) -> str:
    """Where a town stands, given its subscription: unpaid past the grace period (or
    cancelled) is read-only, unpaid within it is warned, anything else is paid up."""
    if state == State.CANCELLED:
        return Standing.READ_ONLY
    if state == State.PAST_DUE:
        since = past_due_since or now
        return (
            Standing.READ_ONLY if since + timedelta(days=grace_days) <= now else Standing.PAST_DUE
        )
    return Standing.GOOD


def subscription_sync(*, customer_id: str, now: datetime | None = None) -> TownSubscription | None:
    """Read the customer's newest subscription and its invoices from Stripe and record them,
    then set the town's standing. None when no town has this customer. Raises
    StripeUnavailable when Stripe cannot be read (the event's task is retried)."""
    with schema_context(_PUBLIC()):
        row = TownSubscription.objects.filter(stripe_customer_id=customer_id).first()
    if row is None:
        return None
    read_at = timezone.now()
    client = stripe_client()
    try:
        subscriptions = client.v1.subscriptions.list(
            params={"customer": customer_id, "status": "all", "limit": 10}
        ).data
        invoices = client.v1.invoices.list(
            params={"customer": customer_id, "limit": INVOICES_KEPT}
        ).data
    except stripe.StripeError as error:
        logger.warning("Could not read the subscription of %s: %s", customer_id, error)
        raise StripeUnavailable from error
    # A town has one running subscription at most; else its newest (Stripe lists newest first).
    ended = {"canceled", "incomplete_expired"}
    newest = next((s for s in subscriptions if s.status not in ended), None) or next(
        iter(subscriptions), None
    )
    return _subscription_apply(
        row_pk=row.pk,
        subscription=newest,
        invoices=invoices,
        read_at=read_at,
        now=now or timezone.now(),
    )


def _subscription_apply(
    *,
    row_pk: int,
    subscription: stripe.Subscription | None,
    invoices: list[stripe.Invoice],
    read_at: datetime,
    now: datetime,
) -> TownSubscription:
    with schema_context(_PUBLIC()), transaction.atomic():
        row = TownSubscription.objects.select_for_update().select_related("plan").get(pk=row_pk)
        if row.synced_at is not None and row.synced_at >= read_at:
            return row  # a newer read is recorded already
        row.synced_at = read_at
        ours = [
            i for i in invoices if subscription and _invoice_subscription_id(i) == subscription.id
        ]
        unpaid = sorted(
            (i for i in ours if i.status == "open"),
            key=lambda i: i.status_transitions.finalized_at or i.created,
        )
        if subscription is not None:
            row.stripe_subscription_id = subscription.id
            row.stripe_status = subscription.status
            row.state = _STATE_OF_STRIPE_STATUS.get(subscription.status, State.PAST_DUE)
            row.trial_end = _at(subscription.trial_end)
            item = subscription["items"].data[0]
            plan = SubscriptionPlan.objects.filter(stripe_price_id=item.price.id).first()
            if plan is not None:
                row.plan = plan
            running = row.state != State.CANCELLED and not subscription.cancel_at_period_end
            row.next_invoice_at = _at(item.current_period_end) if running else None
            row.next_invoice_cents = (
                (item.price.unit_amount or 0) * (item.quantity or 1) if running else None
            )
        if row.state == State.PAST_DUE:
            first = unpaid[0] if unpaid else None
            since = (
                (first.status_transitions.finalized_at or first.created)
                if first
                else (subscription.trial_end if subscription else None)
            )
            row.past_due_since = _at(since) or row.past_due_since or now
        else:
            row.past_due_since = None
        row.save()
        _invoices_record(row, invoices)
        standing = standing_of(
            state=row.state,
            past_due_since=row.past_due_since,
            grace_days=row.plan.grace_days,
            now=now,
        )
        town_standing_set(town_id=row.town_id, standing=standing)
        if unpaid and standing != Standing.GOOD:
            _unpaid_notify_after_commit(row, unpaid[0].id)
    return row


def _invoices_record(row: TownSubscription, invoices: Iterable[stripe.Invoice]) -> None:
    for invoice in invoices:
        SubscriptionInvoice.objects.update_or_create(
            stripe_invoice_id=invoice.id,
            defaults={
                "subscription": row,
                "number": invoice.number or "",
                "status": invoice.status or "",
                "amount_due_cents": invoice.amount_due,
                "amount_paid_cents": invoice.amount_paid,
                "hosted_invoice_url": invoice.hosted_invoice_url or "",
                "invoice_pdf": invoice.invoice_pdf or "",
                "created": datetime.fromtimestamp(invoice.created, tz=UTC),
            },
        )


def _unpaid_notify_after_commit(row: TownSubscription, invoice_id: str) -> None:
    from billing.tasks import subscription_unpaid_notify

    schema = Town.objects.values_list("schema_name", flat=True).get(pk=row.town_id)
    # The task runs in the town's schema (its administrators and its sent-once record live
    # there); it sends once per unpaid invoice, however often this runs.
    with schema_context(schema):
        task_after_commit(subscription_unpaid_notify, invoice_id)


def subscription_unpaid_notify(*, invoice_id: str) -> bool:
    """In the town's schema: e-mail its administrators that the subscription's invoice is
    unpaid, what happens when and how to pay; once per invoice. True when sent now."""
    town = current_town()
    with schema_context(_PUBLIC()):
        invoice = (
            SubscriptionInvoice.objects.select_related("subscription__plan")
            .filter(stripe_invoice_id=invoice_id, subscription__town=town)
            .first()
        )
    if invoice is None or invoice.status != "open":
        return False
    admins = list(
        User.objects.filter(is_town_admin=True, is_active=True).values_list("email", flat=True)
    )
    if not admins:
        return False
    subscription = invoice.subscription
    read_only_from = (subscription.past_due_since or invoice.created) + timedelta(
        days=subscription.plan.grace_days
    )

    def send() -> None:
        with override(settings.LANGUAGE_CODE):
            context = {
                "town": town,
                "invoice": invoice,
                "read_only_from": read_only_from,
                "link": town.build_url(
                    reverse("town_admin:subscription", urlconf=settings.ROOT_URLCONF)
                ),
            }
            send_mail(
                subject=_("Unpaid invoice: the portal %(of_town)s will become read-only")
                % {"of_town": of_name(town.name)},
                message=render_to_string("billing/email/subscription_unpaid.txt", context),
                from_email=None,
                recipient_list=admins,
            )

    return send_once(purpose="billing.subscription_unpaid", key=invoice_id, send=send)


def subscriptions_grace_enforce(*, now: datetime | None = None) -> int:
    """Celery beat's sweep: towns whose invoice stayed unpaid past their plan's grace period
    become read-only (and, should an event have been missed, paid-up ones normal again).
    The number of towns whose standing changed."""
    now = now or timezone.now()
    with schema_context(_PUBLIC()):
        rows = list(
            TownSubscription.objects.exclude(state=State.PENDING)
            .select_related("plan", "town")
            .only("state", "past_due_since", "plan__grace_days", "town__standing")
        )
    changed = 0
    for row in rows:
        standing = standing_of(
            state=row.state,
            past_due_since=row.past_due_since,
            grace_days=row.plan.grace_days,
            now=now,
        )
        if standing != row.town.standing:
            changed += town_standing_set(town_id=row.town_id, standing=standing)
    return changed


def subscription_event_handle(event: stripe.Event) -> tuple[str, Town | None]:
    """A subscription's or an invoice's event: the customer's state read again from Stripe.
    Its outcome and the town it concerned."""
    customer = getattr(event.data.object, "customer", None)
    customer_id = customer if isinstance(customer, str) else getattr(customer, "id", "")
    row = subscription_sync(customer_id=customer_id) if customer_id else None
    if row is None:
        logger.warning("Stripe event %s: no town has the customer %s", event.id, customer_id)
        return Outcome.UNROUTED, None
    with schema_context(_PUBLIC()):
        return Outcome.APPLIED, Town.objects.get(pk=row.town_id)


# --- Commission earned per town and month -----------------------------------------------


def commission_months_refresh() -> int:
    """Count every town's commission per month (Σ of billing.Transfer's commission_cents in
    its schema, months in the town's time zone) into the public TownCommissionMonth table: one
    UNION ALL query per COMMISSION_SCHEMAS_PER_QUERY towns, whatever their number. The number
    of rows written."""
    public = _PUBLIC()
    table = Transfer._meta.db_table
    with schema_context(public):
        towns = list(
            Town.objects.exclude(schema_name=public).values_list("pk", "schema_name", "time_zone")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_schema FROM information_schema.tables "
                "WHERE table_name = %s AND table_schema = ANY(%s)",
                [table, [schema for _pk, schema, _tz in towns]],
            )
            ready = {schema for (schema,) in cursor.fetchall()}
        towns = [town for town in towns if town[1] in ready]
        counted: list[tuple[int, date, int, int]] = []
        for start in range(0, len(towns), COMMISSION_SCHEMAS_PER_QUERY):
            batch = towns[start : start + COMMISSION_SCHEMAS_PER_QUERY]
            parts, params = [], []
            for pk, schema, time_zone in batch:
                parts.append(
                    f"SELECT %s, date_trunc('month', created_at AT TIME ZONE %s)::date, "  # noqa: S608 - quoted schema names
                    f"SUM(commission_cents), COUNT(*) FROM {quote_schema_name(schema)}.{table} "
                    "GROUP BY 2"
                )
                params += [pk, time_zone]
            with connection.cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), params)
                counted += [
                    (pk, month, int(cents), count) for pk, month, cents, count in cursor.fetchall()
                ]
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            # One statement: a queryset's delete() would read the rows first (signals).
            cursor.execute(f"DELETE FROM {TownCommissionMonth._meta.db_table}")  # noqa: S608
            TownCommissionMonth.objects.bulk_create(
                [
                    TownCommissionMonth(
                        town_id=pk,
                        month=month,
                        commission_cents=cents,
                        transfers=count,
                        refreshed_at=now,
                    )
                    for pk, month, cents, count in counted
                ],
                batch_size=2000,
            )
    return len(counted)
