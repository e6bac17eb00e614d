import pytest

from marketplace.directory.models import Merchant
from marketplace.orders.errors import CartRefused
from marketplace.orders.models import Cart, CartLine
from marketplace.orders.selectors import cart_contents, cart_item_count
from marketplace.orders.services.cart import (
    cart_add,
    cart_get_or_create,
    cart_merge,
    cart_remove,
    cart_set_quantity,
)
from tests.conftest import inside, user_create
from tests.marketplace.orders.factories import cart_create, shop_create, variant_create


def _lines(cart: Cart) -> list[tuple[int, int]]:
    return list(
        CartLine.objects.filter(cart=cart).order_by("pk").values_list("variant_id", "quantity")
    )


def test_cart_add_creates_a_line_then_adds_to_it(town_a):
    variant = variant_create(town_a, shop_create(town_a), stock=10)
    cart = cart_create(town_a, [])
    with inside(town_a):
        cart_add(cart=cart, variant_id=variant.pk, quantity=2)
        line = cart_add(cart=cart, variant_id=variant.pk, quantity=3)

        assert line.quantity == 5
        assert _lines(cart) == [(variant.pk, 5)]


@pytest.mark.parametrize(
    ("shop_fields", "variant_fields", "message"),
    [
        ({"status": Merchant.Status.PENDING}, {}, "is not open on the portal"),
        ({"status": Merchant.Status.SUSPENDED}, {}, "is not open on the portal"),
        ({"sells_online": False}, {}, "does not take orders online"),
        ({"click_collect": False, "reserve": False}, {}, "does not take orders online"),
        ({}, {"is_published": False}, "This product is no longer available."),
        ({}, {"sold_in_shop_only": True}, "This product is sold in the shop only."),
        ({}, {"stock": 0}, "This product is out of stock."),
    ],
)
def test_cart_add_refuses_what_is_not_for_sale_online(town_a, shop_fields, variant_fields, message):
    variant = variant_create(town_a, shop_create(town_a, **shop_fields), **variant_fields)
    cart = cart_create(town_a, [])
    with inside(town_a):
        with pytest.raises(CartRefused) as refused:
            cart_add(cart=cart, variant_id=variant.pk, quantity=1)

        assert message in refused.value.message
        assert _lines(cart) == []


def test_cart_add_refuses_more_than_the_stock_counting_what_is_in_the_cart(town_a):
    variant = variant_create(town_a, shop_create(town_a), stock=4)
    cart = cart_create(town_a, [(variant, 3)])
    with inside(town_a):
        with pytest.raises(CartRefused) as refused:
            cart_add(cart=cart, variant_id=variant.pk, quantity=2)

        assert refused.value.message == "Only 4 left in stock."
        assert _lines(cart) == [(variant.pk, 3)]


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_cart_add_refuses_silly_quantities(town_a, quantity):
    variant = variant_create(town_a, shop_create(town_a), stock=500)
    cart = cart_create(town_a, [])
    with inside(town_a):
        with pytest.raises(CartRefused):
            cart_add(cart=cart, variant_id=variant.pk, quantity=quantity)
        assert _lines(cart) == []


def test_cart_add_refuses_an_unknown_variant(town_a):
    cart = cart_create(town_a, [])
    with inside(town_a):
        with pytest.raises(CartRefused) as refused:
            cart_add(cart=cart, variant_id=999_999, quantity=1)
        assert refused.value.message == "This product is no longer available."


def test_cart_set_quantity_changes_and_zero_removes(town_a):
    shop = shop_create(town_a)
    kept, dropped = variant_create(town_a, shop), variant_create(town_a, shop)
    cart = cart_create(town_a, [(kept, 1), (dropped, 2)])
    with inside(town_a):
        cart_set_quantity(cart=cart, variant_id=kept.pk, quantity=4)
        assert cart_set_quantity(cart=cart, variant_id=dropped.pk, quantity=0) is None

        assert _lines(cart) == [(kept.pk, 4)]


def test_cart_set_quantity_refuses_above_stock_and_changes_nothing(town_a):
    variant = variant_create(town_a, shop_create(town_a), stock=2)
    cart = cart_create(town_a, [(variant, 1)])
    with inside(town_a):
        with pytest.raises(CartRefused):
            cart_set_quantity(cart=cart, variant_id=variant.pk, quantity=3)
        assert _lines(cart) == [(variant.pk, 1)]


def test_cart_set_quantity_of_a_line_not_in_the_cart_is_refused(town_a):
    variant = variant_create(town_a, shop_create(town_a))
    cart = cart_create(town_a, [])
    with inside(town_a):
        with pytest.raises(CartRefused):
            cart_set_quantity(cart=cart, variant_id=variant.pk, quantity=1)
        assert _lines(cart) == []


def test_cart_remove_takes_the_line_out_and_ignores_what_is_absent(town_a):
    variant = variant_create(town_a, shop_create(town_a))
    cart = cart_create(town_a, [(variant, 1)])
    with inside(town_a):
        cart_remove(cart=cart, variant_id=variant.pk)
        cart_remove(cart=cart, variant_id=variant.pk)
        assert _lines(cart) == []


def test_cart_get_or_create_finds_the_guest_cart_or_the_users(town_a):
    user = user_create(town_a, "shopper@alpha.test")
    guest = cart_create(town_a, [])
    with inside(town_a):
        assert cart_get_or_create(user=None, cart_id=guest.pk) == guest
        own = cart_get_or_create(user=user, cart_id=guest.pk)
        assert own.user == user and own != guest
        assert cart_get_or_create(user=user, cart_id=None) == own
        # A guest cannot take over a cart that belongs to an account.
        assert cart_get_or_create(user=None, cart_id=own.pk) not in (own, guest)


def test_cart_merge_adds_the_guest_lines_to_the_users_cart(town_a):
    shop = shop_create(town_a)
    both, guest_only, own_only = (variant_create(town_a, shop, stock=200) for _ in range(3))
    user = user_create(town_a, "shopper@alpha.test")
    own = cart_create(town_a, [(both, 1), (own_only, 2)], user=user)
    guest = cart_create(town_a, [(both, 98), (guest_only, 3)])
    with inside(town_a):
        merged = cart_merge(user=user, guest_cart_id=guest.pk)

        assert merged == own
        assert sorted(_lines(own)) == sorted([(both.pk, 99), (own_only.pk, 2), (guest_only.pk, 3)])
        assert not Cart.objects.filter(pk=guest.pk).exists()


def test_cart_merge_gives_the_guest_cart_to_a_user_without_one(town_a):
    variant = variant_create(town_a, shop_create(town_a))
    user = user_create(town_a, "shopper@alpha.test")
    guest = cart_create(town_a, [(variant, 1)])
    with inside(town_a):
        assert cart_merge(user=user, guest_cart_id=guest.pk) == guest
        guest.refresh_from_db()
        assert guest.user == user


def test_cart_contents_groups_lines_by_shop_with_subtotals_and_problems(town_a):
    bakery = shop_create(town_a, name="Boulangerie")
    florist = shop_create(town_a, name="Atelier Floral")
    bread = variant_create(town_a, bakery, title="Pain", price_cents=120)
    cake = variant_create(town_a, bakery, title="Gâteau", price_cents=2500, stock=1)
    roses = variant_create(town_a, florist, title="Roses", price_cents=1990)
    cart = cart_create(town_a, [(bread, 3), (roses, 1), (cake, 2)])
    with inside(town_a):
        contents = cart_contents(cart=cart)

        assert [group.merchant.name for group in contents.groups] == [
            "Atelier Floral",
            "Boulangerie",
        ]
        assert [group.subtotal_cents for group in contents.groups] == [1990, 3 * 120 + 2 * 2500]
        assert contents.total_cents == 1990 + 360 + 5000
        assert contents.item_count == 6
        problems = {item.product.title: item.problem for g in contents.groups for item in g.items}
        assert problems == {"Roses": "", "Pain": "", "Gâteau": "Only 1 left in stock."}
        assert contents.has_problems
        assert cart_item_count(user=None, cart_id=cart.pk) == 6
