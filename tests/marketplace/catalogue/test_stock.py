from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.catalogue.models import StockMovement, StockReservation, Variant
from marketplace.catalogue.selectors import variant_availability
from marketplace.catalogue.services.stock import (
    InsufficientStock,
    ReservationExpired,
    stock_adjust,
    stock_reservations_release,
    stock_reservations_take,
    stock_reserve_for_lines,
    stock_return_for_lines,
    stock_set,
)
from tests.conftest import inside
from tests.marketplace.catalogue.conftest import product_row_create


def _stocks(product) -> list[int]:
    return list(
        Variant.objects.filter(product=product).order_by("pk").values_list("stock", flat=True)
    )


def test_stock_adjust_adds_and_records_the_movement(town_a, merchant_a, admin_a):
    product = product_row_create(town_a, merchant_a, stocks=(4,))
    with inside(town_a):
        variant = product.variants.get()

        new_stock = stock_adjust(
            variant_id=variant.pk, delta=6, reason=StockMovement.Reason.MANUAL,
            reference="inventaire", actor=admin_a,
        )  # fmt: skip

        assert new_stock == 10
        assert _stocks(product) == [10]
        movement = StockMovement.objects.get(variant=variant)
        assert (movement.delta, movement.balance_after, movement.reason, movement.reference) == (
            6, 10, "manual", "inventaire",
        )  # fmt: skip
        assert movement.actor_id == admin_a.pk


def test_stock_adjust_below_zero_is_refused_and_changes_nothing(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(2,))
    with inside(town_a):
        variant = product.variants.get()

        with pytest.raises(InsufficientStock) as refused:
            stock_adjust(variant_id=variant.pk, delta=-3, reason=StockMovement.Reason.MANUAL)

        assert (refused.value.variant_id, refused.value.available, refused.value.requested) == (
            variant.pk, 2, 3,
        )  # fmt: skip
        assert _stocks(product) == [2]
        assert not StockMovement.objects.exists()


def test_stock_adjust_refuses_an_unknown_reason(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(2,))
    with inside(town_a):
        with pytest.raises(ValueError):
            stock_adjust(variant_id=product.variants.get().pk, delta=1, reason="gift")
        assert _stocks(product) == [2]


def test_stock_set_records_the_difference_only(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(7,))
    with inside(town_a):
        variant = product.variants.get()

        assert stock_set(variant_id=variant.pk, quantity=3, reason="import") == 3
        assert stock_set(variant_id=variant.pk, quantity=3, reason="import") == 3

        assert _stocks(product) == [3]
        assert list(StockMovement.objects.values_list("delta", "balance_after", "reason")) == [
            (-4, 3, "import")
        ]


def _later(minutes: int = 15):
    return timezone.now() + timedelta(minutes=minutes)


def _held() -> list[tuple[int, int, str]]:
    return sorted(StockReservation.objects.values_list("variant_id", "quantity", "reference"))


def test_stock_reserve_for_lines_holds_every_line_without_moving_the_count(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5, 3))
    with inside(town_a):
        first, second = product.variants.order_by("pk")
        until = _later()

        # The same variant twice in an order is one need of 3.
        stock_reserve_for_lines(
            lines={"CMD-1": [(second.pk, 2), (first.pk, 1), (first.pk, 2)], "CMD-2": [(second.pk, 1)]},
            until=until,
        )  # fmt: skip

        assert _stocks(product) == [5, 3]
        assert _held() == [(first.pk, 3, "CMD-1"), (second.pk, 1, "CMD-2"), (second.pk, 2, "CMD-1")]
        assert set(StockReservation.objects.values_list("expires_at", flat=True)) == {until}
        assert not StockMovement.objects.exists()


def test_a_running_reservation_holds_its_units_and_an_expired_one_no_longer(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(3,))
    with inside(town_a):
        variant = product.variants.get()
        stock_reserve_for_lines(lines={"CMD-1": [(variant.pk, 2)]}, until=_later())

        with pytest.raises(InsufficientStock) as refused:
            stock_reserve_for_lines(lines={"CMD-2": [(variant.pk, 2)]}, until=_later())

        assert (refused.value.available, refused.value.requested) == (1, 2)
        assert _held() == [(variant.pk, 2, "CMD-1")]

        StockReservation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        stock_reserve_for_lines(lines={"CMD-2": [(variant.pk, 3)]}, until=_later())

        assert _held() == [(variant.pk, 2, "CMD-1"), (variant.pk, 3, "CMD-2")]
        assert _stocks(product) == [3]


def test_stock_reserve_for_lines_short_of_one_holds_nothing(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5, 1))
    with inside(town_a):
        first, second = product.variants.order_by("pk")

        with pytest.raises(InsufficientStock) as refused:
            stock_reserve_for_lines(
                lines={"CMD-2": [(first.pk, 2)], "CMD-3": [(second.pk, 2)]}, until=_later()
            )

        assert (refused.value.variant_id, refused.value.available, refused.value.requested) == (
            second.pk, 1, 2,
        )  # fmt: skip
        assert _stocks(product) == [5, 1]
        assert _held() == []


def test_stock_reserve_for_lines_of_a_deleted_variant_is_short(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5,))
    with inside(town_a):
        variant = product.variants.get()
        gone_id = variant.pk
        variant.delete()

        with pytest.raises(InsufficientStock) as refused:
            stock_reserve_for_lines(lines={"CMD-3": [(gone_id, 1)]}, until=_later())

        assert (refused.value.available, refused.value.requested) == (0, 1)


def test_stock_reserve_for_lines_refuses_a_non_positive_quantity(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5,))
    with inside(town_a):
        with pytest.raises(ValueError):
            stock_reserve_for_lines(
                lines={"CMD-4": [(product.variants.get().pk, 0)]}, until=_later()
            )
        assert _held() == []


def test_taking_reservations_sells_them_under_their_references_once(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5, 3))
    with inside(town_a):
        first, second = product.variants.order_by("pk")
        stock_reserve_for_lines(
            lines={"CMD-1": [(first.pk, 2), (second.pk, 1)], "CMD-2": [(first.pk, 1)],
                   "CMD-9": [(second.pk, 2)]},
            until=_later(),
        )  # fmt: skip

        stock_reservations_take(references=["CMD-1", "CMD-2"])
        stock_reservations_take(references=["CMD-1", "CMD-2"])

        assert _stocks(product) == [2, 2]
        assert sorted(
            StockMovement.objects.values_list(
                "variant_id", "delta", "balance_after", "reason", "reference"
            )
        ) == [
            (first.pk, -2, 3, "sale", "CMD-1"),
            (first.pk, -1, 2, "sale", "CMD-2"),
            (second.pk, -1, 2, "sale", "CMD-1"),
        ]
        assert _held() == [(second.pk, 2, "CMD-9")]


def test_an_expired_reservation_cannot_be_taken_and_nothing_changes(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5, 5))
    with inside(town_a):
        first, second = product.variants.order_by("pk")
        stock_reserve_for_lines(lines={"CMD-1": [(first.pk, 1)]}, until=_later())
        stock_reserve_for_lines(lines={"CMD-2": [(second.pk, 1)]}, until=_later())
        StockReservation.objects.filter(reference="CMD-2").update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

        with pytest.raises(ReservationExpired):
            stock_reservations_take(references=["CMD-1", "CMD-2"])

        assert _stocks(product) == [5, 5]
        assert not StockMovement.objects.exists()
        assert _held() == [(first.pk, 1, "CMD-1"), (second.pk, 1, "CMD-2")]


def test_taking_more_than_a_count_lowered_meanwhile_goes_to_zero(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5,))
    with inside(town_a):
        variant = product.variants.get()
        stock_reserve_for_lines(lines={"CMD-1": [(variant.pk, 3)]}, until=_later())
        stock_set(variant_id=variant.pk, quantity=2, reason="manual")

        stock_reservations_take(references=["CMD-1"])

        assert _stocks(product) == [0]
        assert list(
            StockMovement.objects.filter(reason="sale").values_list("delta", "balance_after")
        ) == [(-2, 0)]


def test_releasing_reservations_gives_the_units_back_without_a_movement(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(2,))
    with inside(town_a):
        variant = product.variants.get()
        stock_reserve_for_lines(lines={"CMD-1": [(variant.pk, 2)]}, until=_later())

        assert stock_reservations_release(references=["CMD-1"]) == 1
        assert stock_reservations_release(references=["CMD-1"]) == 0

        stock_reserve_for_lines(lines={"CMD-2": [(variant.pk, 2)]}, until=_later())
        assert _held() == [(variant.pk, 2, "CMD-2")]
        assert _stocks(product) == [2]
        assert not StockMovement.objects.exists()


def test_stock_return_for_lines_puts_back_with_cancellation_movements(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(0, 2))
    with inside(town_a):
        first, second = product.variants.order_by("pk")

        stock_return_for_lines(lines=[(first.pk, 2), (second.pk, 1)], reference="CMD-5")

        assert _stocks(product) == [2, 3]
        assert sorted(StockMovement.objects.values_list("variant_id", "delta", "reason")) == [
            (first.pk, 2, "cancellation"),
            (second.pk, 1, "cancellation"),
        ]


@pytest.mark.parametrize(
    ("stock", "shop_only", "expected"),
    [(10, False, "in_stock"), (4, False, "in_stock"), (3, False, "low"), (1, False, "low"),
     (0, False, "out"), (10, True, "shop_only")],
)  # fmt: skip
def test_variant_availability(town_a, merchant_a, stock, shop_only, expected):
    product = product_row_create(town_a, merchant_a, stocks=(stock,), sold_in_shop_only=shop_only)
    with inside(town_a):
        assert variant_availability(product.variants.select_related("product").get()) == expected


def test_variants_low_in_stock_lists_the_merchants_own_emptiest_first(town_a, merchant_a):
    from marketplace.catalogue.selectors import variants_low_in_stock
    from tests.marketplace.catalogue.conftest import merchant_create

    other = merchant_create(town_a, name="Voisin")
    product_row_create(town_a, merchant_a, title="Thé", stocks=(3, 0, 9))
    product_row_create(town_a, merchant_a, title="Vase", stocks=(1,), sold_in_shop_only=True)
    product_row_create(town_a, merchant_a, title="Brouillon", stocks=(0,), is_published=False)
    product_row_create(town_a, other, title="Café", stocks=(0,))
    with inside(town_a):
        low = variants_low_in_stock(merchant=merchant_a)

    assert [(v.product.title, v.stock) for v in low] == [("Thé", 0), ("Thé", 3)]


def test_products_of_merchant_lists_only_its_products(
    town_a, merchant_a, django_assert_num_queries
):
    from marketplace.catalogue.selectors import products_of_merchant
    from tests.marketplace.catalogue.conftest import merchant_create

    other = merchant_create(town_a, name="Voisin")
    for title in ("Thé", "Café", "Miel"):
        product_row_create(
            town_a, merchant_a, title=title, stocks=(1, 2), is_published=title != "Miel"
        )
    product_row_create(town_a, other, title="Bol")
    with inside(town_a), django_assert_num_queries(2 * 3):
        products = list(products_of_merchant(merchant=merchant_a))
        assert [len(p.variants.all()) for p in products] == [2, 2, 2]

    assert [p.title for p in products] == ["Miel", "Café", "Thé"]
