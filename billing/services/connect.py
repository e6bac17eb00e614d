"""Merchants' Stripe Connect accounts (Express): creating one, the onboarding link, and
recording its state whenever Stripe reports it (a webhook, a direct read).

Stripe is called outside any transaction or row lock; what it answers is then written in a
short transaction of its own.
"""

import logging
import time
from datetime import UTC, datetime

import stripe
from django.conf import settings
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from billing.errors import MerchantCannotConnect, StripeUnavailable
from billing.models import ConnectAccount
from billing.shared.models import ConnectAccountTown
from billing.stripe_api import stripe_client
from comptoir.accounts.models import User
from comptoir.town import current_town
from marketplace.directory.models import Merchant, MerchantMember
from tenants.models import Town

logger = logging.getLogger(__name__)


def connect_account_start(
    *, merchant_id: int, actor: User, return_url: str, refresh_url: str
) -> str:
    """The URL of Stripe's onboarding for the shop, creating its Connect account the first
    time. Only an owner of a shop that sells online may."""
    merchant = Merchant.objects.get(pk=merchant_id)
    is_owner = MerchantMember.objects.filter(
        merchant_id=merchant_id, user_id=actor.pk, role=MerchantMember.Role.OWNER
    ).exists()
    if not (is_owner and merchant.sells_online):
        raise MerchantCannotConnect
    account = ConnectAccount.objects.filter(merchant_id=merchant_id).first()
    if account is None:
        account = connect_account_create(merchant=merchant)
    return connect_account_link_create(
        account=account, return_url=return_url, refresh_url=refresh_url
    )


def connect_account_create(*, merchant: Merchant) -> ConnectAccount:
    """Create the merchant's Express account at Stripe and record it, with the public row
    saying this town owns it. The idempotency key names the town and the merchant: two clicks,
    or a retry after a lost answer, get the same account."""
    town = current_town()
    try:
        created = stripe_client().v1.accounts.create(
            params={
                "type": "express",
                "country": settings.STRIPE_CONNECT_COUNTRY,
                "email": merchant.email or None,
                "business_profile": {"name": merchant.name},
                "capabilities": {
                    "card_payments": {"requested": True},
                    "transfers": {"requested": True},
                },
                "metadata": {"town": town.schema_name, "merchant_id": str(merchant.pk)},
            },
            options={"idempotency_key": f"connect-account:{town.schema_name}:{merchant.pk}"},
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a Connect account for merchant %s: %s", merchant.pk, error)
        raise StripeUnavailable from error
    with transaction.atomic(durable=True):
        account, _ = ConnectAccount.objects.get_or_create(
            merchant=merchant, defaults={"stripe_account_id": created.id}
        )
        connect_account_town_record(stripe_account_id=account.stripe_account_id, town=town)
        if account.stripe_account_id == created.id:
            connect_account_state_apply(account=created, as_of=created.created, source="")
    account.refresh_from_db()
    return account


def connect_account_town_record(*, stripe_account_id: str, town: Town) -> None:
    """Say in the public schema that `town` owns the account, so its webhooks find the town."""
    with schema_context(get_public_schema_name()):
        ConnectAccountTown.objects.get_or_create(
            stripe_account_id=stripe_account_id, defaults={"town": town}
        )


def connect_account_link_create(
    *, account: ConnectAccount, return_url: str, refresh_url: str
) -> str:
    """A fresh, single-use link to Stripe's onboarding for the account."""
    try:
        link = stripe_client().v1.account_links.create(
            params={
                "account": account.stripe_account_id,
                "type": "account_onboarding",
                "return_url": return_url,
                "refresh_url": refresh_url,
            }
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused an account link for %s: %s", account, error)
        raise StripeUnavailable from error
    return link.url


def connect_account_refresh(*, merchant_id: int) -> ConnectAccount | None:
    """Read the shop's account from Stripe now (the merchant is back from its pages, and the
    webhook may not have arrived yet) and record its state."""
    account = ConnectAccount.objects.filter(merchant_id=merchant_id).first()
    if account is None:
        return None
    try:
        current = stripe_client().v1.accounts.retrieve(account.stripe_account_id)
    except stripe.StripeError as error:
        logger.warning("Could not read %s from Stripe: %s", account, error)
        raise StripeUnavailable from error
    with transaction.atomic(durable=True):
        connect_account_state_apply(account=current, as_of=int(time.time()), source="")
    account.refresh_from_db()
    return account


def _deadline(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def connect_account_state_apply(*, account: stripe.Account, as_of: int, source: str) -> bool:
    """Record the account's state as Stripe reported it at `as_of` (Unix time), unless a newer
    report is recorded already. Runs in the caller's transaction; locks the row. Whether it
    changed anything.

    `source` is the reporting event's id, or empty for a direct read (Stripe's answer now).
    Events are ordered by (created, id), so the same events in any order leave the same state
    and one applied twice changes nothing; a direct read also wins a tie of seconds, being
    read after whatever Stripe reported in that second."""
    row = ConnectAccount.objects.select_for_update().filter(stripe_account_id=account.id).first()
    if row is None:
        return False
    recorded = (row.state_as_of, row.state_source)
    newer = (as_of, source) > recorded if source else as_of >= row.state_as_of
    if not newer:
        return False
    requirements = account.requirements
    row.details_submitted = bool(account.details_submitted)
    row.charges_enabled = bool(account.charges_enabled)
    row.payouts_enabled = bool(account.payouts_enabled)
    row.requirements_due = list(requirements.currently_due or [])
    row.requirements_past_due = list(requirements.past_due or [])
    row.requirements_deadline = _deadline(requirements.current_deadline)
    row.disabled_reason = requirements.disabled_reason or ""
    row.state_as_of = as_of
    row.state_source = source
    row.save()
    return True
