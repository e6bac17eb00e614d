import pytest

from marketplace.orders.models import Order
from marketplace.orders.services.transitions import order_accept
from tests.conftest import inside
from tests.marketplace.orders.factories import member_add, order_place, shop_create, variant_create


@pytest.fixture
def shop(town_a):
    return shop_create(town_a, name="Épicerie du Lac")


@pytest.fixture
def order(town_a, shop) -> Order:
    checkout = order_place(
        town_a, [(variant_create(town_a, shop, title="Confiture de myrtilles", stock=5), 2)]
    )
    with inside(town_a):
        return checkout.orders.get()


def _status(town, order: Order) -> str:
    with inside(town):
        return Order.objects.get(pk=order.pk).status


@pytest.mark.smoke
def test_the_tracking_page_shows_the_order_and_its_history(client_a, order):
    response = client_a.get(f"/suivi/{order.tracking_token}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert order.reference in body
    assert "Confiture de myrtilles" in body
    assert "Épicerie du Lac" in body
    assert 'content="noindex, nofollow"' in body
    assert "Cancel my order" in body


def test_a_guest_cancels_from_the_tracking_page(client_a, town_a, order):
    response = client_a.post(
        f"/suivi/{order.tracking_token}/annuler/", {"reason": "Erreur"}, follow=True
    )

    body = response.content.decode()
    assert "Your order is cancelled." in body
    assert "Cancel my order" not in body
    assert _status(town_a, order) == Order.Status.CANCELLED


def test_once_accepted_the_guest_can_no_longer_cancel(client_a, town_a, shop, order):
    member = member_add(town_a, shop, "owner@alpha.test")
    with inside(town_a):
        order_accept(order_id=order.pk, actor=member)

    page = client_a.get(f"/suivi/{order.tracking_token}/").content.decode()
    response = client_a.post(f"/suivi/{order.tracking_token}/annuler/", follow=True)

    assert "Cancel my order" not in page
    assert "The shop has already accepted this order" in response.content.decode()
    assert _status(town_a, order) == Order.Status.ACCEPTED


def test_an_unknown_token_is_a_404(client_a):
    assert client_a.get("/suivi/nope/").status_code == 404
    assert client_a.post("/suivi/nope/annuler/").status_code == 404


def test_town_a_tracking_token_on_town_b_host_is_a_404_and_changes_nothing(client_b, town_a, order):
    assert client_b.get(f"/suivi/{order.tracking_token}/").status_code == 404
    assert client_b.post(f"/suivi/{order.tracking_token}/annuler/").status_code == 404
    assert _status(town_a, order) == Order.Status.PLACED


def test_tracking_page_queries_do_not_grow_with_lines(
    client_a, town_a, shop, django_assert_num_queries
):
    small = order_place(town_a, [(variant_create(town_a, shop), 1)])
    big = order_place(town_a, [(variant_create(town_a, shop), 1) for _ in range(8)])
    with inside(town_a):
        tokens = [checkout.orders.get().tracking_token for checkout in (small, big)]

    client_a.get("/suivi/warm-the-routing-cache/")
    # The order with its shop and checkout, its lines, its events (each after its
    # search_path). A guest without a cart costs no session query.
    for token in tokens:
        with django_assert_num_queries(6):
            client_a.get(f"/suivi/{token}/")
