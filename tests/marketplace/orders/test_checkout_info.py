"""checkout_info_fetch: the cart as checkout sees it, read once for the page and the service."""

from django.utils import timezone

from comptoir.town import town_time_zone
from marketplace.directory.hours import pickup_slots
from marketplace.orders.models import Order
from marketplace.orders.selectors import checkout_info_fetch
from tests.conftest import inside
from tests.marketplace.orders.factories import cart_create, shop_create, variant_create

Fulfilment = Order.Fulfilment


def test_each_shop_comes_with_its_lines_its_ways_and_its_pickup_times(
    town_a, django_assert_num_queries
):
    bakery = shop_create(town_a, name="Boulangerie")
    florist = shop_create(
        town_a, name="Atelier Floral", click_collect=False, reserve=False, local_delivery=True
    )
    bread = variant_create(town_a, bakery, title="Pain")
    roses = variant_create(town_a, florist, title="Roses")
    croissant = variant_create(town_a, bakery, title="Croissant")
    cart = cart_create(town_a, [(bread, 2), (roses, 1), (croissant, 3)])
    now = timezone.now()
    with inside(town_a):
        town_time_zone()  # the town, read once per connection
        # The lines with their shops, the photos, the shops' week and exceptional hours, which
        # shops take cards; each after its search_path.
        with django_assert_num_queries(10):
            info = checkout_info_fetch(cart=cart, now=now)

        assert info.cart == cart
        assert [shop.merchant.name for shop in info.shops] == ["Atelier Floral", "Boulangerie"]
        by_shop = info.shop(bakery.pk)
        assert by_shop is not None and by_shop.group is info.contents.groups[1]
        assert [item.product.title for item in by_shop.group.items] == ["Pain", "Croissant"]
        assert by_shop.fulfilments == (Fulfilment.CLICK_COLLECT, Fulfilment.RESERVE_PAY_IN_SHOP)
        assert by_shop.pickup_slots == tuple(pickup_slots(by_shop.merchant, after=now, days=7))
        assert by_shop.pickup_slots
        delivered = info.shop(florist.pk)
        assert delivered is not None
        assert (delivered.fulfilments, delivered.pickup_slots) == ((Fulfilment.LOCAL_DELIVERY,), ())
        assert info.shop(bakery.pk + florist.pk) is None


def test_no_cart_is_an_empty_checkout_read_without_a_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        info = checkout_info_fetch(cart=None)

    assert (info.cart, info.shops, info.contents.is_empty) == (None, (), True)
