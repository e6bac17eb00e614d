"""A shop's monthly statement: one line per sale, commission, refund and payout of the month in
the town's time zone, euros with a comma decimal, `;`-separated UTF-8 with a BOM, and sums that
balance to the cent whatever the amounts and commission rates."""

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing.models import CardPayment, ConnectAccount, OrderRefund, Payout, Transfer
from billing.services.transfers import commission_share
from billing.statements import merchant_statement, statement_csv, statement_months
from marketplace.directory.models import Merchant
from marketplace.orders.models import Order
from tenants.models import Town
from tests.conftest import inside
from tests.marketplace.backoffice.builders import order_add

_numbers = itertools.count(1)
# 15 November 2026, noon in Paris: inside the month whatever the time zone's offset.
MID_NOVEMBER = datetime(2026, 11, 15, 11, tzinfo=UTC)


# --- Builders: the ledger's rows as billing's services leave them ---------------------------


def card_sale(
    town: Town, merchant: Merchant, *, total: int, rate_bps: int, at: datetime = MID_NOVEMBER
) -> Transfer:
    """An order of `merchant` paid by card and its shop paid (the Transfer's ledger row)."""
    order = order_add(town, merchant)
    share = commission_share(order_cents=total, rate_bps=rate_bps)
    with inside(town):
        Order.objects.filter(pk=order.pk).update(
            total_cents=total,
            subtotal_cents=total,
            payment_method="card",
            payment_status=Order.PaymentStatus.PAID,
        )
        payment = CardPayment.objects.create(
            checkout_id=order.checkout_id,
            amount_cents=total,
            status=CardPayment.Status.SUCCEEDED,
            charge_id=f"ch_{next(_numbers)}",
        )
        transfer = Transfer.objects.create(
            card_payment=payment,
            order=order,
            merchant=merchant,
            order_cents=total,
            rate_bps=rate_bps,
            commission_cents=share.commission_cents,
            transfer_cents=share.transfer_cents,
            stripe_transfer_id=f"tr_{next(_numbers)}" if share.transfer_cents else "",
        )
        Transfer.objects.filter(pk=transfer.pk).update(created_at=at)
        return Transfer.objects.select_related("order").get(pk=transfer.pk)


def refund_of(town: Town, transfer: Transfer, *, reversed_: bool = True, at: datetime) -> None:
    """The order of `transfer` refunded in full; its shop's transfer reversed when `reversed_`.
    (The one builder here that writes billing.OrderRefund.)"""
    with inside(town):
        refund = OrderRefund.objects.create(
            order_id=transfer.order_id,
            card_payment_id=transfer.card_payment_id,
            amount_cents=transfer.order_cents,
            commission_cents=transfer.commission_cents,
            reversal_cents=transfer.transfer_cents,
            stripe_refund_id=f"re_{next(_numbers)}",
            stripe_reversal_id=f"trr_{next(_numbers)}" if reversed_ else "",
        )
        OrderRefund.objects.filter(pk=refund.pk).update(created_at=at)


def account_of(town: Town, merchant: Merchant) -> ConnectAccount:
    with inside(town):
        account, _ = ConnectAccount.objects.get_or_create(
            merchant=merchant,
            defaults={"stripe_account_id": f"acct_test{next(_numbers)}{town.slug}"},
        )
        return account


def payout_of(
    town: Town,
    merchant: Merchant,
    *,
    amount: int,
    at: datetime = MID_NOVEMBER,
    status: str = Payout.Status.PAID,
) -> Payout:
    account = account_of(town, merchant)
    with inside(town):
        return Payout.objects.create(
            stripe_payout_id=f"po_test{next(_numbers)}",
            account=account,
            amount_cents=amount,
            currency="eur",
            status=status,
            arrival_date=(at + timedelta(days=2)).date(),
            created=at,
        )


# --- Reading the file back as a spreadsheet would --------------------------------------------


def cents(cell: str) -> int:
    """ "-1234,05" → -123405; refuses anything but the statement's own format."""
    sign, digits = (-1, cell[1:]) if cell.startswith("-") else (1, cell)
    whole, decimals = digits.split(",")
    assert whole.isdigit() and len(decimals) == 2 and decimals.isdigit(), cell
    return sign * (int(whole) * 100 + int(decimals))


def rows_of(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def statement_rows(town: Town, merchant: Merchant, month: date) -> list[list[str]]:
    with inside(town):
        return rows_of(statement_csv(merchant_statement(merchant_id=merchant.pk, month=month)))


def _clear(town: Town, merchant: Merchant) -> None:
    with inside(town):
        OrderRefund.objects.filter(order__merchant=merchant).delete()
        Transfer.objects.filter(merchant=merchant).delete()
        Payout.objects.filter(account__merchant=merchant).delete()


# --- The file --------------------------------------------------------------------------------


def test_the_statement_lists_the_months_lines_in_an_accountants_format(english, town_a, shop_a):
    sale = card_sale(town_a, shop_a, total=123_456, rate_bps=850)  # 104,94 € kept
    refunded = card_sale(
        town_a, shop_a, total=1_999, rate_bps=850, at=MID_NOVEMBER + timedelta(days=1)
    )
    refund_of(town_a, refunded, at=MID_NOVEMBER + timedelta(days=2))
    payout_of(town_a, shop_a, amount=100_000, at=MID_NOVEMBER + timedelta(days=3))
    # Another month's, a failed payout and another shop's: not on it.
    card_sale(town_a, shop_a, total=500, rate_bps=0, at=MID_NOVEMBER + timedelta(days=30))
    payout_of(town_a, shop_a, amount=777, status=Payout.Status.FAILED)

    rows = statement_rows(town_a, shop_a, date(2026, 11, 1))

    ref, other = sale.order.reference, refunded.order.reference
    assert rows == [
        ["Date", "Type", "Order", "Description", "Gross (€)", "Commission (€)", "Net (€)"],
        ["15/11/2026", "sale", ref, "Card payment", "1234,56", "0,00", "1234,56"],
        ["15/11/2026", "commission", ref, "Town's commission", "0,00", "-104,94", "-104,94"],
        ["16/11/2026", "sale", other, "Card payment", "19,99", "0,00", "19,99"],
        ["16/11/2026", "commission", other, "Town's commission", "0,00", "-1,70", "-1,70"],
        ["17/11/2026", "refund", other, "Refund", "-19,99", "0,00", "-19,99"],
        [
            "17/11/2026",
            "commission",
            other,
            "Commission given back with the refund",
            "0,00",
            "1,70",
            "1,70",
        ],
        [
            "18/11/2026",
            "payout",
            "",
            rows[7][3],
            "-1000,00",
            "0,00",
            "-1000,00",
        ],
        ["Total", "", "", "", "234,56", "-104,94", "129,62"],
    ]
    assert rows[7][3].endswith("to the bank account, arriving on 20/11/2026")


def test_the_month_is_the_towns(town_a, shop_a):
    # 23:30 UTC on 30 November is 00:30 on 1 December in Paris.
    late = card_sale(
        town_a, shop_a, total=1_000, rate_bps=0, at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    )

    november = statement_rows(town_a, shop_a, date(2026, 11, 1))
    december = statement_rows(town_a, shop_a, date(2026, 12, 1))

    assert len(november) == 2  # the header and the totals
    assert len(december) == 3
    assert (december[1][0], december[1][2]) == ("01/12/2026", late.order.reference)


def test_the_months_offered_are_those_with_a_sale_a_refund_or_a_payout(
    town_a, town_b, shop_a, shop_b
):
    sale = card_sale(town_a, shop_a, total=1_000, rate_bps=500, at=datetime(2026, 9, 3, tzinfo=UTC))
    refund_of(town_a, sale, at=datetime(2026, 11, 2, tzinfo=UTC))
    payout_of(town_a, shop_a, amount=950, at=datetime(2026, 10, 4, tzinfo=UTC))
    payout_of(
        town_a, shop_a, amount=5, status=Payout.Status.CANCELED, at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    card_sale(town_a, shop_a, total=2_000, rate_bps=500, at=datetime(2026, 9, 20, tzinfo=UTC))
    card_sale(town_b, shop_b, total=2_000, rate_bps=500, at=datetime(2026, 1, 20, tzinfo=UTC))

    with inside(town_a):
        months = statement_months(merchant_id=shop_a.pk)

    assert months == [date(2026, 11, 1), date(2026, 10, 1), date(2026, 9, 1)]


# --- The books balance -----------------------------------------------------------------------

sales = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=10_000_000),  # the order's total, up to 100 000 €
        st.integers(min_value=0, max_value=10_000),  # the commission rate, basis points
        st.sampled_from(["kept", "refunded", "refunded, not reversed yet"]),
    ),
    min_size=1,
    max_size=6,
)


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sales=sales, payouts=st.lists(st.integers(min_value=1, max_value=10_000_000), max_size=3))
def test_the_statement_balances_to_the_cent_whatever_the_amounts_and_rates(
    town_a, shop_a, sales, payouts
):
    # Examples share the test's transaction: the shop's ledger emptied each time.
    _clear(town_a, shop_a)
    transferred = reversed_total = refunded = commission = 0
    for day, (total, rate, fate) in enumerate(sales):
        transfer = card_sale(
            town_a, shop_a, total=total, rate_bps=rate, at=MID_NOVEMBER + timedelta(hours=day)
        )
        transferred += transfer.transfer_cents
        commission -= transfer.commission_cents
        if fate != "kept":
            reversal = fate == "refunded"
            refund_of(town_a, transfer, reversed_=reversal, at=MID_NOVEMBER + timedelta(days=1))
            refunded += total
            reversed_total += transfer.transfer_cents if reversal else 0
            commission += total - (transfer.transfer_cents if reversal else 0)
    for amount in payouts:
        payout_of(town_a, shop_a, amount=amount, at=MID_NOVEMBER + timedelta(days=2))

    header, *lines, totals = statement_rows(town_a, shop_a, date(2026, 11, 1))

    assert len(header) == 7 and totals[0] != "" and totals[1:4] == ["", "", ""]
    gross, fees, net = ([cents(line[column]) for line in lines] for column in (4, 5, 6))
    for line_gross, line_fee, line_net in zip(gross, fees, net, strict=True):
        assert line_net == line_gross + line_fee
    assert [cents(cell) for cell in totals[4:]] == [sum(gross), sum(fees), sum(net)]
    sold = sum(total for total, _rate, _fate in sales)
    assert cents(totals[4]) == sold - refunded - sum(payouts)
    assert cents(totals[5]) == commission
    # The net is what the shop's Stripe balance gained in the month.
    assert cents(totals[6]) == transferred - reversed_total - sum(payouts)
