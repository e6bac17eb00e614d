"""Reads of the directory: which merchants the public sees, and which one a member runs."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.lookups import Unaccent
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Upper
from django.db.models.query import prefetch_related_objects

from comptoir.accounts.models import User
from marketplace.directory.hours import (
    MIDNIGHT,
    ExceptionalPeriod,
    WeekRow,
    exceptional_periods,
    is_open_at,
    opening_ranges_on,
    week_rows,
)
from marketplace.directory.models import (
    Category,
    Merchant,
    MerchantMember,
    MerchantPhoto,
    OpeningHours,
    SpecialHours,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class MemberRole(TypedDict):
    """What merchant_for_member and merchants_of_member annotate: the user's MerchantMember.Role."""

    member_role: str


def merchants_visible() -> QuerySet[Merchant]:
    """Merchants the public may see: approved ones only (never pending, rejected, suspended)."""
    return Merchant.objects.filter(status=Merchant.Status.APPROVED)


def merchant_hours_prefetch(*, since: date, until: date | None = None) -> list[Prefetch]:
    """Prefetches the hours functions need: the week's ranges and the exceptional days from
    `since` (to `until` when given), so a list of merchants costs two queries, not 2 per row.

    For a single day (`until == since`) only that weekday's ranges are fetched: the hours
    functions then answer for that day only, and a page of cards stays light (a seventh of
    the rows to fetch and build)."""
    special = SpecialHours.objects.filter(date__gte=since)
    weekly = OpeningHours.objects.all()
    if until is not None:
        special = special.filter(date__lte=until)
        if until == since:
            weekly = weekly.filter(weekday=since.weekday())
    return [
        Prefetch("opening_hours", queryset=weekly.order_by("weekday", "opens_at")),
        Prefetch("special_hours", queryset=special.order_by("date", "opens_at")),
    ]


def _covers(clock: time) -> Q:
    """Rows whose range contains that clock time (a 00:00 closing means midnight)."""
    return Q(opens_at__lte=clock) & (Q(closes_at__gt=clock) | Q(closes_at=MIDNIGHT))


def merchants_open_at(queryset: QuerySet[Merchant], *, local: datetime) -> QuerySet[Merchant]:
    """Narrow to merchants open at that moment on the town's clock, in SQL (same rule as
    hours.is_open_at: an exceptional day replaces the week's ranges)."""
    day, clock = local.date(), local.time()
    special_today = SpecialHours.objects.filter(merchant=OuterRef("pk"), date=day)
    special_open_now = special_today.filter(_covers(clock), is_closed=False)
    weekly_open_now = OpeningHours.objects.filter(
        _covers(clock), merchant=OuterRef("pk"), weekday=day.weekday()
    )
    return queryset.filter(
        (Exists(special_today) & Exists(special_open_now))
        | (~Exists(special_today) & Exists(weekly_open_now))
    )


@dataclass(frozen=True)
class DirectoryFilters:
    """What a shopper narrowed the directory to. Empty values mean no filter."""

    category: Category | None = None
    kind: str = ""
    open_now: bool = False
    click_collect: bool = False
    delivery: bool = False
    appointments: bool = False
    sells_online: bool = False
    text: str = ""


def merchants_directory(*, filters: DirectoryFilters, local_now: datetime) -> QuerySet[Merchant]:
    """Visible merchants matching the filters, with what a card shows (category, today's hours).

    Ordered by name, accent- and case-insensitively, so "Épicerie" sorts with the E's.
    """
    queryset = merchants_visible().select_related("category")
    if filters.category is not None:
        queryset = queryset.filter(
            Q(category=filters.category) | Q(category__parent=filters.category)
        )
    if filters.kind:
        queryset = queryset.filter(category__kind=filters.kind)
    if filters.click_collect:
        queryset = queryset.filter(offers_click_collect=True)
    if filters.delivery:
        queryset = queryset.filter(Q(offers_local_delivery=True) | Q(offers_postal_delivery=True))
    if filters.appointments:
        queryset = queryset.filter(offers_appointments=True)
    if filters.sells_online:
        queryset = queryset.filter(sells_online=True)
    text = filters.text.strip()
    if text:
        queryset = queryset.filter(name__unaccent__icontains=text)
    if filters.open_now:
        queryset = merchants_open_at(queryset, local=local_now)
    today = local_now.date()
    return queryset.prefetch_related(*merchant_hours_prefetch(since=today, until=today)).order_by(
        Upper(Unaccent(F("name"))), "pk"
    )


@dataclass(frozen=True)
class MerchantPage:
    """What a merchant's public page shows of the directory, read on the town's clock."""

    merchant: Merchant
    open_now: bool
    today_ranges: list[tuple[time, time]]
    special_today: list[SpecialHours]
    week: list[WeekRow]
    periods: list[ExceptionalPeriod]
    photos: list[MerchantPhoto]


def merchant_page(*, slug: str, now: datetime) -> MerchantPage | None:
    """A visible merchant with everything its page shows, or None (the page answers 404).

    Four queries. Exceptional days are fetched for the coming two months: the page lists them.
    """
    today = now.date()
    merchant = (
        merchants_visible()
        .select_related("category", "category__parent")
        .prefetch_related(
            "photos", *merchant_hours_prefetch(since=today, until=today + timedelta(days=62))
        )
        .filter(slug=slug)
        .first()
    )
    if merchant is None:
        return None
    return MerchantPage(
        merchant=merchant,
        open_now=is_open_at(merchant, now),
        today_ranges=opening_ranges_on(merchant, today),
        special_today=[s for s in merchant.special_hours.all() if s.date == today],
        week=week_rows(merchant, today),
        periods=exceptional_periods(merchant),
        photos=list(merchant.photos.all()),
    )


def merchants_on_map(*, today: date) -> QuerySet[Merchant]:
    """Visible merchants that have coordinates, ready for markers and the list beside the map."""
    return (
        merchants_visible()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .select_related("category")
        .prefetch_related(*merchant_hours_prefetch(since=today, until=today))
        .order_by(Upper(Unaccent(F("name"))), "pk")
    )


def categories_for_filters() -> list[Category]:
    """The category tree for the directory's filter, parents first then their children."""
    categories = list(Category.objects.select_related("parent").order_by("position", "name"))
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    ordered: list[Category] = []
    for category in categories:
        if category.parent_id is None:
            ordered.append(category)
            ordered.extend(children.get(category.pk, []))
    return ordered


def merchant_for_member(
    user: "User | AnonymousUser", merchant_slug: str | None = None
) -> "WithAnnotations[Merchant, MemberRole] | None":
    """The merchant this user runs (the one named by `merchant_slug` when given, else the first
    by name), whatever its status: a pending applicant fills in their profile too.

    The member's role is set on the result as `member_role`. One query.
    """
    if not user.is_authenticated:
        return None
    queryset = (
        Merchant.objects.filter(members__user=user)
        .annotate(member_role=F("members__role"))
        .select_related("category")
    )
    if merchant_slug:
        queryset = queryset.filter(slug=merchant_slug)
    return queryset.order_by("name", "pk").first()


def merchants_of_member(
    user: "User | AnonymousUser",
) -> "list[WithAnnotations[Merchant, MemberRole]]":
    """Every merchant the user runs, for a "which shop" switch in the back office."""
    if not user.is_authenticated:
        return []
    return list(
        Merchant.objects.filter(members__user=user)
        .annotate(member_role=F("members__role"))
        .order_by("name", "pk")
    )


def merchant_owner_emails(*, merchant_id: int) -> list[str]:
    return list(
        MerchantMember.objects.filter(
            merchant_id=merchant_id, role=MerchantMember.Role.OWNER, user__is_active=True
        )
        .order_by("pk")
        .values_list("user__email", flat=True)
    )


def merchants_pending_review() -> QuerySet[Merchant]:
    """Applications waiting for the town's decision, oldest first, with who applied."""
    owners = MerchantMember.objects.filter(role=MerchantMember.Role.OWNER).select_related("user")
    return (
        Merchant.objects.filter(status=Merchant.Status.PENDING)
        .select_related("category")
        .prefetch_related(Prefetch("members", queryset=owners, to_attr="owners"))
        .order_by("created_at", "pk")
    )


def merchant_cards(merchants: list[Merchant], *, now: datetime) -> list[Merchant]:
    """Give each merchant what directory/_merchant_card.html shows (open now, today's hours),
    in two queries for the whole list. Merchants need their category selected; their hours
    are left prefetched for `now`'s day only."""
    today = now.date()
    # Today's ranges only: a card shows nothing else, and a big list stays light.
    prefetch_related_objects(
        merchants,
        Prefetch(
            "opening_hours",
            queryset=OpeningHours.objects.filter(weekday=today.weekday()).order_by("opens_at"),
        ),
        Prefetch("special_hours", queryset=SpecialHours.objects.filter(date=today)),
    )
    for merchant in merchants:
        merchant.open_now = is_open_at(merchant, now)
        merchant.today_ranges = opening_ranges_on(merchant, today)
    return merchants
