"""A shop's monthly statement of its card payments, for its accountant: what went through its
Stripe balance in the month, line by line, as a CSV a French spreadsheet opens as it is.

Lines, each dated in the town's time zone:
- a sale (vente): the order's total, the day its shop was paid (its Transfer);
- the town's commission on it (commission): what the platform kept, negative;
- a refund (remboursement): what the shopper got back, negative; with the commission given back
  to the shop (commission, positive): what the platform returned rather than the shop;
- a payout (virement): what Stripe paid from the balance into the bank account, negative, gross
  and net (a payout that failed or was cancelled put the money back, so it is not listed).

Every line's net = its gross + its commission, so the totals line balances to the cent; the net
total is the month's change of the shop's Stripe balance. Amounts are euros with a comma
decimal, the separator is `;`, and the file is UTF-8 with a byte-order mark, as French
spreadsheets expect.
"""

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict

from django.db.models import Case, F, IntegerField, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from billing.models import OrderRefund, Payout, Transfer
from comptoir.town import town_time_zone

SALE, COMMISSION, REFUND, PAYOUT = "sale", "commission", "refund", "payout"
# The kinds of line, and their names in the file.
KINDS: dict[str, Promise] = {
    SALE: pgettext_lazy("statement line", "sale"),
    COMMISSION: pgettext_lazy("statement line", "commission"),
    REFUND: pgettext_lazy("statement line", "refund"),
    PAYOUT: pgettext_lazy("statement line", "payout"),
}
# Payouts whose money left the balance (a failed or cancelled one came back).
PAYOUT_OUT = [Payout.Status.PENDING, Payout.Status.IN_TRANSIT, Payout.Status.PAID]
MONTHS_LISTED = 120


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    kind: str  # one of KINDS
    reference: str
    label: str
    gross_cents: int
    commission_cents: int

    @property
    def net_cents(self) -> int:
        return self.gross_cents + self.commission_cents


@dataclass(frozen=True)
class Statement:
    month: date  # its first day
    lines: list[StatementLine]

    @property
    def gross_cents(self) -> int:
        return sum(line.gross_cents for line in self.lines)

    @property
    def commission_cents(self) -> int:
        return sum(line.commission_cents for line in self.lines)

    @property
    def net_cents(self) -> int:
        return sum(line.net_cents for line in self.lines)


class RefundRow(TypedDict):
    created: datetime
    reference: str  # the order's
    amount_cents: int  # given back to the shopper
    reversed_cents: int  # taken back from the shop


def merchant_refunds(
    *, merchant_id: int, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[OrderRefund, RefundRow]:
    """The refunds of the shop's orders it was paid for (an order refunded before its shop was
    paid never reached the shop's balance), made from `start` until before `end` when given.

    The one place that reads billing.OrderRefund."""
    paid_orders = Transfer.objects.filter(merchant_id=merchant_id).values("order_id")
    refunds = OrderRefund.objects.filter(
        order__merchant_id=merchant_id, order_id__in=Subquery(paid_orders)
    )
    if start is not None:
        refunds = refunds.filter(created_at__gte=start)
    if end is not None:
        refunds = refunds.filter(created_at__lt=end)
    return refunds.values(
        "amount_cents",
        # The shop's share counts once it is taken back (until then the shop keeps it).
        reversed_cents=Case(
            When(stripe_reversal_id="", then=Value(0)),
            default=Coalesce(F("reversal_cents"), Value(0)),
            output_field=IntegerField(),
        ),
        created=F("created_at"),
        reference=F("order__reference"),
    )


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = town_time_zone()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return start, datetime(following.year, following.month, 1, tzinfo=tz)


def statement_lines(
    *,
    sales: Sequence[Mapping[str, Any]],
    refunds: Sequence[RefundRow],
    payouts: Sequence[Mapping[str, Any]],
) -> list[StatementLine]:
    """The statement's lines from the ledger's rows: `sales` (Transfer: created_at, reference,
    order_cents, commission_cents), `refunds` (merchant_refunds' rows) and `payouts` (Payout:
    created, stripe_payout_id, amount_cents, arrival_date), in date order."""
    lines: list[StatementLine] = []
    for sale in sales:
        reference = sale["reference"]
        lines.append(
            StatementLine(
                sale["created_at"], SALE, reference, _("Card payment"), sale["order_cents"], 0
            )
        )
        if sale["commission_cents"]:
            lines.append(
                StatementLine(
                    sale["created_at"],
                    COMMISSION,
                    reference,
                    _("Town's commission"),
                    0,
                    -sale["commission_cents"],
                )
            )
    for refund in refunds:
        reference = refund["reference"]
        lines.append(
            StatementLine(
                refund["created"], REFUND, reference, _("Refund"), -refund["amount_cents"], 0
            )
        )
        returned = refund["amount_cents"] - refund["reversed_cents"]
        if returned:
            lines.append(
                StatementLine(
                    refund["created"],
                    COMMISSION,
                    reference,
                    _("Commission given back with the refund"),
                    0,
                    returned,
                )
            )
    for payout in payouts:
        arrival = payout["arrival_date"].strftime("%d/%m/%Y")
        label = _("Payout %(payout)s to the bank account, arriving on %(date)s") % {
            "payout": payout["stripe_payout_id"],
            "date": arrival,
        }
        lines.append(
            StatementLine(payout["created"], PAYOUT, "", label, -payout["amount_cents"], 0)
        )
    # Stable: a sale's commission stays after it, a refund's after it.
    lines.sort(key=lambda line: line.at)
    return lines


def merchant_statement(*, merchant_id: int, month: date) -> Statement:
    """The shop's statement for `month` (any day of it), in the town's time zone (3 queries)."""
    start, end = _month_bounds(month)
    sales = list(
        Transfer.objects.filter(merchant_id=merchant_id, created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "pk")
        .values("created_at", "order_cents", "commission_cents", reference=F("order__reference"))
    )
    refunds = list(merchant_refunds(merchant_id=merchant_id, start=start, end=end))
    payouts = list(
        Payout.objects.filter(
            account__merchant_id=merchant_id,
            status__in=PAYOUT_OUT,
            created__gte=start,
            created__lt=end,
        )
        .order_by("created", "pk")
        .values("created", "stripe_payout_id", "amount_cents", "arrival_date")
    )
    return Statement(
        month=start.date(),
        lines=statement_lines(sales=sales, refunds=refunds, payouts=payouts),
    )


def statement_months(*, merchant_id: int) -> list[date]:
    """The months (their first days) in which the shop has a sale, a refund or a payout,
    newest first (one query)."""
    tz = town_time_zone()
    months = (
        Transfer.objects.filter(merchant_id=merchant_id)
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values_list("month", flat=True)
        .union(
            merchant_refunds(merchant_id=merchant_id)
            .annotate(month=TruncMonth("created", tzinfo=tz))
            .values_list("month", flat=True),
            Payout.objects.filter(account__merchant_id=merchant_id, status__in=PAYOUT_OUT)
            .annotate(month=TruncMonth("created", tzinfo=tz))
            .values_list("month", flat=True),
        )
        .order_by("-month")[:MONTHS_LISTED]
    )
    return [timezone.localtime(month, tz).date() for month in months]


def _euros(cents: int) -> str:
    """ "-1234,05": euros with a comma decimal, no thousands separator (spreadsheets read it)."""
    whole, remainder = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole},{remainder:02d}"


def statement_csv(statement: Statement) -> bytes:
    """The statement as its accountant's CSV: a header, one row per line, a totals row."""
    tz = town_time_zone()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Date"),
            _("Type"),
            _("Order"),
            _("Description"),
            _("Gross (€)"),
            _("Commission (€)"),
            _("Net (€)"),
        ]
    )
    for line in statement.lines:
        writer.writerow(
            [
                timezone.localtime(line.at, tz).strftime("%d/%m/%Y"),
                str(KINDS[line.kind]),
                line.reference,
                line.label,
                _euros(line.gross_cents),
                _euros(line.commission_cents),
                _euros(line.net_cents),
            ]
        )
    writer.writerow(
        [
            _("Total"),
            "",
            "",
            "",
            _euros(statement.gross_cents),
            _euros(statement.commission_cents),
            _euros(statement.net_cents),
        ]
    )
    return out.getvalue().encode("utf-8")
