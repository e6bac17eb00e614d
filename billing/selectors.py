"""Reads of billing: a merchant's Connect account, what it may do, and its state in words;
the shop's transfers and payouts."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context

from billing.models import ConnectAccount, Payout, Transfer
from billing.shared.models import ConnectAccountTown
from tenants.models import Town

# Stripe's requirement codes as a merchant would name them; any other code reads as "other".
REQUIREMENT_LABELS: dict[str, Promise] = {
    "business_profile.mcc": _("your line of business"),
    "business_profile.url": _("your shop's website or page"),
    "business_profile.product_description": _("a description of what you sell"),
    "business_type": _("your type of business (sole trader, company, …)"),
    "company.name": _("the company's name"),
    "company.tax_id": _("the company's SIREN number"),
    "company.address.line1": _("the company's address"),
    "external_account": _("the bank account payouts go to (IBAN)"),
    "individual.verification.document": _("an identity document"),
    "representative.verification.document": _("an identity document of the legal representative"),
    "representative.first_name": _("the legal representative's first name"),
    "representative.last_name": _("the legal representative's last name"),
    "representative.dob.day": _("the legal representative's date of birth"),
    "representative.address.line1": _("the legal representative's address"),
    "tos_acceptance.date": _("your acceptance of Stripe's terms"),
    "tos_acceptance.ip": _("your acceptance of Stripe's terms"),
}
OTHER_REQUIREMENT = _("other information Stripe asks for")


@dataclass(frozen=True)
class ConnectStatus:
    """A merchant's card-payment state, said plainly for the back office."""

    account: ConnectAccount | None
    headline: Promise
    detail: Promise | str = ""
    # What Stripe still needs, in words (each said once), and by when.
    requirements: list[str] = field(default_factory=list)
    deadline: datetime | None = None

    @property
    def needs_onboarding(self) -> bool:
        """The merchant has something to do on Stripe's pages (start, or finish)."""
        return self.account is None or bool(self.requirements) or not self.account.details_submitted


def connect_account_of(*, merchant_id: int) -> ConnectAccount | None:
    return ConnectAccount.objects.filter(merchant_id=merchant_id).first()


def merchant_can_take_card_payments(*, merchant_id: int) -> bool:
    """Whether the checkout may offer card payment for this shop: its Connect account exists
    and Stripe lets it take charges."""
    return merchant_id in merchants_taking_card_payments(merchant_ids=[merchant_id])


def merchants_taking_card_payments(*, merchant_ids: list[int]) -> set[int]:
    """Those of the shops `merchant_ids` that may be paid by card (one query)."""
    return set(
        ConnectAccount.objects.filter(
            merchant_id__in=merchant_ids, charges_enabled=True
        ).values_list("merchant_id", flat=True)
    )


def _requirement_words(codes: list[str]) -> list[str]:
    words: list[str] = []
    for code in codes:
        word = str(REQUIREMENT_LABELS.get(code, OTHER_REQUIREMENT))
        if word not in words:
            words.append(word)
    return words


def connect_status(*, merchant_id: int) -> ConnectStatus:
    """The shop's card-payment state in words (one query)."""
    account = connect_account_of(merchant_id=merchant_id)
    if account is None:
        return ConnectStatus(
            account=None,
            headline=_("Card payments are not set up."),
            detail=_(
                "Connect a Stripe account to be paid by card online; until then shoppers "
                "reserve and pay in your shop."
            ),
        )
    due = _requirement_words([*account.requirements_past_due, *account.requirements_due])
    deadline = account.requirements_deadline
    if account.disabled_reason.startswith("rejected"):
        headline = _("Stripe has refused this account: contact Stripe's support to know why.")
    elif account.charges_enabled and account.payouts_enabled:
        headline = _("Your shop takes card payments, and Stripe pays them into your bank account.")
    elif account.charges_enabled:
        headline = _("Your shop takes card payments, but Stripe is holding its payouts.")
    elif account.details_submitted:
        headline = _(
            "Stripe is checking your details: card payments open once it has verified them."
        )
    else:
        headline = _("Your Stripe account is created, but its details are not complete.")
    if due and deadline:
        detail: Promise | str = _("Stripe still needs, before the date below:")
    elif due:
        detail = _("Stripe still needs:")
    else:
        detail = ""
    return ConnectStatus(
        account=account, headline=headline, detail=detail, requirements=due, deadline=deadline
    )


def connect_account_town(*, stripe_account_id: str) -> Town | None:
    """The town owning a Connect account, read from the public schema."""
    with schema_context(get_public_schema_name()):
        route = (
            ConnectAccountTown.objects.filter(stripe_account_id=stripe_account_id)
            .select_related("town")
            .first()
        )
    return route.town if route else None


def connect_account_ids() -> list[str]:
    """Every Connect account some town owns (public schema)."""
    with schema_context(get_public_schema_name()):
        return list(
            ConnectAccountTown.objects.order_by("pk").values_list("stripe_account_id", flat=True)
        )


def connect_account_routes() -> list[tuple[str, str]]:
    """Every Connect account some town owns, with that town's schema (public schema)."""
    with schema_context(get_public_schema_name()):
        return list(
            ConnectAccountTown.objects.order_by("town_id", "pk").values_list(
                "stripe_account_id", "town__schema_name"
            )
        )


def commission_accounts() -> list[ConnectAccount]:
    """The town's connected shops with their own commission rate, if any (one query)."""
    return list(ConnectAccount.objects.select_related("merchant").order_by("merchant__name"))


def merchant_transfers(*, merchant_id: int) -> QuerySet[Transfer]:
    """What the shop was paid for each card-paid order, newest first (paginate it)."""
    return (
        Transfer.objects.filter(merchant_id=merchant_id)
        .select_related("order")
        .only(
            "created_at",
            "order_cents",
            "commission_cents",
            "transfer_cents",
            "rate_bps",
            "order__reference",
        )
        .order_by("-created_at", "-pk")
    )


def merchant_payouts(*, merchant_id: int) -> QuerySet[Payout]:
    """Stripe's payouts of the shop's balance to its bank, newest first (paginate it)."""
    return Payout.objects.filter(account__merchant_id=merchant_id).order_by("-created", "-pk")
