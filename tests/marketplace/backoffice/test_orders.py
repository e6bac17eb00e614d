from datetime import UTC, datetime

import pytest
from django.core import mail
from django.test import Client

from marketplace.orders.models import Order, OrderEvent
from tests.conftest import host_of, inside, signed_in
from tests.marketplace.backoffice.builders import (
    order_add,
    product_add,
    reload,
    stock_of,
    variants_of,
)

INBOX_QUERIES = 14
DETAIL_QUERIES = 16


def _order(town, shop, *, status=Order.Status.PLACED, lines=1, stock=5, **fields):
    variants = [
        variants_of(town, product_add(town, shop, title=f"Article {n}", stocks=(stock,)))[0]
        for n in range(lines)
    ]
    return order_add(
        town, shop, status=status, lines=[(v, 2) for v in variants], **fields
    ), variants


# --- inbox --------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.parametrize("count", [1, 4])
def test_inbox_costs_the_same_queries_whatever_the_number(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    for _ in range(count):
        _order(town_a, shop_a, lines=2)
    owner_client.get("/boutique/commandes/")

    with django_assert_num_queries(INBOX_QUERIES):
        response = owner_client.get("/boutique/commandes/")

    assert len(response.context["page"].object_list) == count


def test_inbox_tabs_sort_orders_by_status_with_their_counts(owner_client, town_a, shop_a, rival_a):
    placed, _ = _order(town_a, shop_a)
    ready, _ = _order(town_a, shop_a, status=Order.Status.READY)
    collected, _ = _order(town_a, shop_a, status=Order.Status.COLLECTED)
    refused, _ = _order(town_a, shop_a, status=Order.Status.REFUSED)
    _order(town_a, rival_a)

    def references(tab: str) -> list[str]:
        page = owner_client.get(f"/boutique/commandes/?onglet={tab}").context["page"]
        return [order.reference for order in page.object_list]

    assert references("nouvelles") == [placed.reference]
    assert references("acceptees") == []
    assert references("pretes") == [ready.reference]
    assert references("terminees") == [collected.reference]
    assert references("annulees") == [refused.reference]
    tabs = owner_client.get("/boutique/commandes/").context["tabs"]
    assert [(slug, count) for slug, _label, count in tabs] == [
        ("nouvelles", 1), ("acceptees", 0), ("pretes", 1), ("terminees", 1), ("annulees", 1),
    ]  # fmt: skip


def test_the_shop_sees_no_order_awaiting_payment_nor_one_whose_payment_failed(
    owner_client, town_a, shop_a
):
    placed, _ = _order(town_a, shop_a)
    awaiting, _ = _order(town_a, shop_a, status=Order.Status.PENDING)
    failed, _ = _order(town_a, shop_a, status=Order.Status.CANCELLED)
    with inside(town_a):
        Order.objects.filter(pk=failed.pk).update(payment_status=Order.PaymentStatus.FAILED)

    tabs = owner_client.get("/boutique/commandes/").context["tabs"]
    listed = {
        order.reference
        for slug, _label, _count in tabs
        for order in owner_client.get(f"/boutique/commandes/?onglet={slug}")
        .context["page"]
        .object_list
    }

    assert listed == {placed.reference}
    assert sum(count for _slug, _label, count in tabs) == 1
    for hidden in (awaiting, failed):
        assert owner_client.get(f"/boutique/commandes/{hidden.reference}/").status_code == 404


# --- detail and transitions ---------------------------------------------------------------


@pytest.mark.parametrize("lines", [1, 4])
def test_order_page_costs_the_same_queries_whatever_the_lines(
    owner_client, town_a, shop_a, lines, django_assert_num_queries
):
    order, _ = _order(town_a, shop_a, lines=lines)
    url = f"/boutique/commandes/{order.reference}/"
    owner_client.get(url)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = owner_client.get(url)

    assert len(response.context["order"].lines.all()) == lines


@pytest.mark.smoke
def test_order_page_shows_lines_contact_and_the_allowed_moves(
    english, owner_client, town_a, shop_a
):
    pickup = datetime(2030, 5, 4, 9, 30, tzinfo=UTC)
    order, [variant] = _order(town_a, shop_a, pickup_at=pickup)

    response = owner_client.get(f"/boutique/commandes/{order.reference}/")

    page = response.content.decode()
    assert variant.sku in page and "Camille Client" in page and "06 12 34 56 78" in page
    assert [action["name"] for action in response.context["actions"]] == [
        "accept", "refuse", "cancel",
    ]  # fmt: skip
    assert "4 May 2030" in page


def test_accepting_moves_the_order_and_records_who(owner_client, owner_a, town_a, shop_a):
    order, _ = _order(town_a, shop_a)

    response = owner_client.post(f"/boutique/commandes/{order.reference}/action/accept/")

    assert response["Location"] == f"/boutique/commandes/{order.reference}/"
    assert reload(town_a, order).status == Order.Status.ACCEPTED
    with inside(town_a):
        event = OrderEvent.objects.get(order=order)
    assert (event.from_status, event.to_status, event.actor_id) == (
        "placed",
        "accepted",
        owner_a.pk,
    )
    detail = owner_client.get(response["Location"])
    assert [action["name"] for action in detail.context["actions"]] == [
        "mark_ready", "refuse", "cancel",
    ]  # fmt: skip


def test_staff_take_the_order_through_to_collection(
    staff_client, town_a, shop_a, django_capture_on_commit_callbacks
):
    order, _ = _order(town_a, shop_a)
    base = f"/boutique/commandes/{order.reference}/action"

    for action in ("accept", "mark_ready", "mark_collected"):
        with django_capture_on_commit_callbacks(execute=True):
            staff_client.post(f"{base}/{action}/")

    assert reload(town_a, order).status == Order.Status.COLLECTED


def test_refusing_needs_a_reason_and_without_it_nothing_changes(
    english, owner_client, town_a, shop_a
):
    order, [variant] = _order(town_a, shop_a, stock=5)

    response = owner_client.post(
        f"/boutique/commandes/{order.reference}/action/refuse/", {"reason": " "}, follow=True
    )

    assert "Tell the customer why." in response.content.decode()
    assert reload(town_a, order).status == Order.Status.PLACED
    assert stock_of(town_a, variant) == 5


def test_refusing_with_a_reason_gives_the_stock_back(owner_client, town_a, shop_a):
    order, [variant] = _order(town_a, shop_a, stock=5)

    owner_client.post(
        f"/boutique/commandes/{order.reference}/action/refuse/", {"reason": "Rupture fournisseur"}
    )

    stored = reload(town_a, order)
    assert (stored.status, stored.status_reason) == (Order.Status.REFUSED, "Rupture fournisseur")
    assert stock_of(town_a, variant) == 7


def test_a_move_the_status_does_not_allow_is_refused_with_a_message(owner_client, town_a, shop_a):
    order, _ = _order(town_a, shop_a)

    response = owner_client.post(
        f"/boutique/commandes/{order.reference}/action/mark_collected/", follow=True
    )

    assert reload(town_a, order).status == Order.Status.PLACED
    assert next(iter(response.context["messages"])).level_tag == "error"


def test_unknown_action_is_not_found(owner_client, town_a, shop_a):
    order, _ = _order(town_a, shop_a)

    assert (
        owner_client.post(f"/boutique/commandes/{order.reference}/action/delete/").status_code
        == 404
    )
    assert reload(town_a, order).status == Order.Status.PLACED


def test_moves_are_posts_only(owner_client, town_a, shop_a):
    order, _ = _order(town_a, shop_a)

    assert (
        owner_client.get(f"/boutique/commandes/{order.reference}/action/accept/").status_code == 405
    )
    assert reload(town_a, order).status == Order.Status.PLACED


# --- picking slip -------------------------------------------------------------------------


@pytest.mark.smoke
def test_picking_slip_lists_skus_quantities_customer_and_slot(
    english, owner_client, town_a, shop_a, django_assert_max_num_queries
):
    pickup = datetime(2030, 5, 4, 14, 0, tzinfo=UTC)
    order, variants = _order(town_a, shop_a, lines=3, pickup_at=pickup)
    url = f"/boutique/commandes/{order.reference}/bon/"

    response = owner_client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert all(variant.sku in page for variant in variants)
    assert page.count('class="slip-quantity">2<') == 3
    assert "Camille Client" in page and "Pickup: Saturday 4 May 2030, 16:00" in page
    assert 'class="no-print"' in page


@pytest.mark.parametrize("lines", [1, 5])
def test_picking_slip_costs_the_same_queries(
    owner_client, town_a, shop_a, lines, django_assert_num_queries
):
    order, _ = _order(town_a, shop_a, lines=lines)
    url = f"/boutique/commandes/{order.reference}/bon/"
    owner_client.get(url)

    with django_assert_num_queries(10):
        owner_client.get(url)


# --- isolation ----------------------------------------------------------------------------


def test_another_shops_orders_answer_404_and_do_not_move(rival_client, town_a, shop_a):
    order, _ = _order(town_a, shop_a)

    for url in (
        f"/boutique/commandes/{order.reference}/",
        f"/boutique/commandes/{order.reference}/bon/",
    ):
        assert rival_client.get(url).status_code == 404
    for action in ("accept", "refuse", "cancel"):
        response = rival_client.post(
            f"/boutique/commandes/{order.reference}/action/{action}/", {"reason": "x"}
        )
        assert response.status_code == 404
    assert reload(town_a, order).status == Order.Status.PLACED
    inbox = rival_client.get("/boutique/commandes/")
    assert list(inbox.context["page"].object_list) == []


def test_town_as_order_reference_is_not_found_on_town_b(town_a, town_b, shop_a, shop_b):
    order, _ = _order(town_a, shop_a)
    client = signed_in(Client(HTTP_HOST=host_of(town_b)), town_b, "owner@beta.test")

    assert client.get(f"/boutique/commandes/{order.reference}/").status_code == 404
    assert client.post(f"/boutique/commandes/{order.reference}/action/accept/").status_code == 404
    assert reload(town_a, order).status == Order.Status.PLACED
    assert not mail.outbox
