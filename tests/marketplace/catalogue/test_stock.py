import pytest

from marketplace.catalogue.models import StockMovement, Variant
from marketplace.catalogue.selectors import variant_availability
from marketplace.catalogue.services.stock import (
    InsufficientStock,
    stock_adjust,
    stock_return_for_lines,
    stock_set,
    stock_take_for_lines,
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


def test_stock_take_for_lines_takes_every_line_and_records_sales(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5, 3))
    with inside(town_a):
        first, second = product.variants.order_by("pk")

        # The same variant twice in a cart is one need of 3.
        stock_take_for_lines(
            lines=[(second.pk, 2), (first.pk, 1), (first.pk, 2)], reference="CMD-1"
        )

        assert _stocks(product) == [2, 1]
        assert sorted(
            StockMovement.objects.values_list(
                "variant_id", "delta", "balance_after", "reason", "reference"
            )
        ) == [
            (first.pk, -3, 2, "sale", "CMD-1"),
            (second.pk, -2, 1, "sale", "CMD-1"),
        ]


def test_stock_take_for_lines_short_of_one_changes_nothing(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5, 1))
    with inside(town_a):
        first, second = product.variants.order_by("pk")

        with pytest.raises(InsufficientStock) as refused:
            stock_take_for_lines(lines=[(first.pk, 2), (second.pk, 2)], reference="CMD-2")

        assert (refused.value.variant_id, refused.value.available, refused.value.requested) == (
            second.pk, 1, 2,
        )  # fmt: skip
        assert _stocks(product) == [5, 1]
        assert not StockMovement.objects.exists()


def test_stock_take_for_lines_of_a_deleted_variant_is_short(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5,))
    with inside(town_a):
        variant = product.variants.get()
        gone_id = variant.pk
        variant.delete()

        with pytest.raises(InsufficientStock) as refused:
            stock_take_for_lines(lines=[(gone_id, 1)], reference="CMD-3")

        assert (refused.value.available, refused.value.requested) == (0, 1)


def test_stock_take_for_lines_refuses_a_non_positive_quantity(town_a, merchant_a):
    product = product_row_create(town_a, merchant_a, stocks=(5,))
    with inside(town_a):
        with pytest.raises(ValueError):
            stock_take_for_lines(lines=[(product.variants.get().pk, 0)], reference="CMD-4")
        assert _stocks(product) == [5]


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
