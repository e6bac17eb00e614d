import pytest

from tests.conftest import inside
from tests.marketplace.backoffice.builders import order_add, product_add, variants_of
from tests.reporting.builders import merchant_page_views_add


@pytest.mark.smoke
def test_dashboard_shows_todays_orders_low_stock_and_visits(english, owner_client, town_a, shop_a):
    product = product_add(town_a, shop_a, title="Pivoines", stocks=(2,))
    [variant] = variants_of(town_a, product)
    order = order_add(town_a, shop_a, lines=[(variant, 1)])
    merchant_page_views_add(town_a, shop_a.pk, 2)

    response = owner_client.get("/boutique/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Fleurs de Lys" in page
    assert order.reference in page
    assert "Pivoines" in page
    assert response.context["orders_today"] == 1
    assert response.context["visits"].today == 2
    assert [v.pk for v in response.context["low_stock"]] == [variant.pk]


@pytest.mark.parametrize("count", [1, 4])
def test_dashboard_costs_the_same_queries_whatever_the_amount(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    from marketplace.appointments.models import Appointment
    from tests.marketplace.appointments.conftest import slot_add

    for number in range(count):
        product = product_add(town_a, shop_a, title=f"Produit {number}", stocks=(1, 2))
        order_add(town_a, shop_a, lines=[(variants_of(town_a, product)[0], 1)])
        slot = slot_add(town_a, shop_a, in_hours=24 + number, booked=1)
        with inside(town_a):
            Appointment.objects.create(slot=slot, merchant=shop_a, name="J", email="j@example.org")
    owner_client.get("/boutique/")

    with django_assert_num_queries(20):
        response = owner_client.get("/boutique/")

    assert len(response.context["orders_to_handle"]) == count
    assert len(response.context["low_stock"]) == 2 * count
    assert len(response.context["appointments"]) == count


def test_dashboard_lists_only_this_shops_figures(owner_client, town_a, shop_a, rival_a):
    product = product_add(town_a, rival_a, title="Chez le rival", stocks=(1,))
    order_add(town_a, rival_a, lines=[(variants_of(town_a, product)[0], 1)])
    merchant_page_views_add(town_a, rival_a.pk, 1)

    response = owner_client.get("/boutique/")

    assert response.context["orders_today"] == 0
    assert response.context["orders_to_handle"] == []
    assert response.context["low_stock"] == []
    assert response.context["visits"].today == 0


@pytest.mark.parametrize("shops", [1, 3])
def test_shop_chooser_costs_the_same_queries(
    town_a, shop_a, owner_a, shops, django_assert_num_queries
):
    from django.test import Client

    from marketplace.directory.models import MerchantMember
    from tests.conftest import host_of, signed_in
    from tests.marketplace.backoffice.builders import member_add, shop_create

    for number in range(shops - 1):
        member_add(town_a, shop_create(town_a, name=f"Boutique {number}"), owner_a.email,
                   MerchantMember.Role.OWNER)  # fmt: skip
    client = signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, owner_a.email)
    client.get("/boutique/choisir/")

    with django_assert_num_queries(8):
        response = client.get("/boutique/choisir/")

    assert len(response.context["shops"]) == shops
