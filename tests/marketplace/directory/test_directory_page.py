"""The directory /commerces/: visible entries only, filters, "open now" on the town's clock."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from marketplace.directory.models import Category, Merchant
from tests.marketplace.directory.conftest import (
    WEEKDAYS_9_TO_19,
    category_create,
    merchant_create,
    queries_for,
    special_create,
)

# Monday 12 January 2026, 10:00 in Paris (09:00 UTC).
MONDAY_10H_PARIS = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
MONDAY = date(2026, 1, 12)


def listed(response) -> list[str]:
    return re.findall(r'data-merchant="([^"]+)"', response.content.decode())


def open_flags(response) -> dict[str, str]:
    body = response.content.decode()
    return dict(re.findall(r'data-merchant="([^"]+)".*?data-open="(true|false)"', body, flags=re.S))


@pytest.fixture(autouse=True)
def _monday_morning(frozen_now, english):
    frozen_now(MONDAY_10H_PARIS)


@pytest.mark.smoke
def test_the_directory_lists_approved_entries_only(client_a, town_a):
    shown = merchant_create(town_a, name="Épicerie du Lac", week=WEEKDAYS_9_TO_19)
    hidden = [
        merchant_create(town_a, name=f"Caché {status}", status=status)
        for status in (Merchant.Status.PENDING, Merchant.Status.REJECTED, Merchant.Status.SUSPENDED)
    ]

    response = client_a.get("/commerces/")

    assert response.status_code == 200
    assert listed(response) == [shown.slug]
    body = response.content.decode()
    assert all(merchant.name not in body for merchant in hidden)
    assert "Open now" in body


def test_open_now_is_read_in_paris_even_when_the_server_runs_utc(client_a, town_a, settings):
    settings.TIME_ZONE = "UTC"
    # 09:00 UTC is 10:00 in Paris: open 10:00–11:00 in Paris, closed 09:00–09:30.
    paris_hours = merchant_create(town_a, name="A Paris", week=[(0, "10:00", "11:00")])
    utc_hours = merchant_create(town_a, name="B UTC", week=[(0, "09:00", "09:30")])

    response = client_a.get("/commerces/")

    assert open_flags(response) == {paris_hours.slug: "true", utc_hours.slug: "false"}


def test_the_open_now_filter_follows_exceptional_days(client_a, town_a):
    open_shop = merchant_create(town_a, name="A ouvert", week=WEEKDAYS_9_TO_19)
    merchant_create(town_a, name="B fermé le lundi", week=[(1, "09:00", "19:00")])
    on_holiday = merchant_create(town_a, name="C en congés", week=WEEKDAYS_9_TO_19)
    special_create(town_a, on_holiday, MONDAY, reason="Congés")
    special_opening = merchant_create(town_a, name="D ouverture exceptionnelle")
    special_create(town_a, special_opening, MONDAY, opens="09:30", closes="12:00")
    late = merchant_create(town_a, name="E ouvert tard", week=[(0, "19:00", "00:00")])

    response = client_a.get("/commerces/?ouvert=on")

    assert listed(response) == [open_shop.slug, special_opening.slug]
    assert open_flags(response) == {open_shop.slug: "true", special_opening.slug: "true"}
    assert late.slug not in listed(client_a.get("/commerces/?ouvert=on"))


def test_a_late_shop_is_open_now_at_night_until_midnight(client_a, town_a, frozen_now):
    late = merchant_create(town_a, name="Bar de nuit", week=[(0, "19:00", "00:00")])
    frozen_now(datetime(2026, 1, 12, 22, 59, tzinfo=UTC))  # 23:59 in Paris

    assert listed(client_a.get("/commerces/?ouvert=on")) == [late.slug]

    frozen_now(datetime(2026, 1, 12, 23, 0, tzinfo=UTC))  # 00:00 on Tuesday in Paris
    assert listed(client_a.get("/commerces/?ouvert=on")) == []


def test_filters_by_category_with_its_children_kind_services_and_name(client_a, town_a):
    food = category_create(town_a, name="Alimentation")
    bakery = category_create(town_a, name="Boulangerie", parent=food)
    association = category_create(town_a, name="Associations", kind=Category.Kind.ASSOCIATION)
    bakery_shop = merchant_create(
        town_a, name="Boulangerie Martin", category=bakery, offers_click_collect=True
    )
    grocer = merchant_create(
        town_a,
        name="Épicerie fine",
        category=food,
        sells_online=True,
        offers_local_delivery=True,
        local_delivery_zone="Centre",
    )
    club = merchant_create(
        town_a, name="Club de voile", category=association, offers_appointments=True
    )
    post = merchant_create(town_a, name="Librairie", offers_postal_delivery=True)

    def names(query: str) -> list[str]:
        return listed(client_a.get(f"/commerces/?{query}"))

    assert names(f"categorie={food.slug}") == [bakery_shop.slug, grocer.slug]
    assert names(f"categorie={bakery.slug}") == [bakery_shop.slug]
    assert names("type=association") == [club.slug]
    assert names("retrait=on") == [bakery_shop.slug]
    assert names("livraison=on") == [grocer.slug, post.slug]
    assert names("rdv=on") == [club.slug]
    assert names("en_ligne=on") == [grocer.slug]
    assert names("q=epicerie") == [grocer.slug]
    assert names("q=EPICERIE+FINE&categorie=" + food.slug) == [grocer.slug]
    assert names("categorie=no-such-category") == [
        bakery_shop.slug,
        club.slug,
        grocer.slug,
        post.slug,
    ]


def test_twenty_four_entries_a_page(client_a, town_a):
    category = category_create(town_a)
    for number in range(25):
        merchant_create(town_a, name=f"Commerce {number:02d}", category=category)

    first = client_a.get("/commerces/")
    second = client_a.get("/commerces/?page=2")

    assert len(listed(first)) == 24
    assert len(listed(second)) == 1
    assert 'rel="next"' in first.content.decode()
    assert "25 entries" in first.content.decode()


def test_queries_stay_the_same_for_one_or_thirty_entries(client_a, town_a):
    category = category_create(town_a)
    merchant_create(town_a, name="Seul", category=category, week=WEEKDAYS_9_TO_19)
    one = queries_for(client_a, "/commerces/?ouvert=on")

    for number in range(29):
        merchant = merchant_create(
            town_a, name=f"Commerce {number:02d}", category=category, week=WEEKDAYS_9_TO_19
        )
        special_create(town_a, merchant, MONDAY + timedelta(days=number % 3), reason="Congés")

    assert queries_for(client_a, "/commerces/?ouvert=on") == one == 5
    assert queries_for(client_a, "/commerces/") == 5


def test_town_b_never_lists_town_as_entries(client_a, client_b, town_a, town_b):
    merchant_a = merchant_create(town_a, name="Épicerie du Lac", slug="epicerie-du-lac")
    merchant_b = merchant_create(town_b, name="Bazar de Beta")

    page_b = client_b.get("/commerces/?q=epicerie")
    all_b = client_b.get("/commerces/")

    assert listed(page_b) == []
    assert listed(all_b) == [merchant_b.slug]
    assert merchant_a.name not in all_b.content.decode()
    assert listed(client_a.get("/commerces/")) == [merchant_a.slug]


@pytest.fixture
def town_a_in_reunion(town_a):
    """Town A on Réunion's clock (UTC+4) for one test; routing forgets the change both ways."""
    from comptoir.routing import town_routing_forget
    from tenants.models import Town

    Town.objects.filter(pk=town_a.pk).update(time_zone="Indian/Reunion")
    town_routing_forget()
    yield town_a
    town_routing_forget()


def test_open_now_follows_the_town_s_own_time_zone(client_a, town_a_in_reunion):
    # 09:00 UTC is 13:00 in Réunion: a shop open 12:00–14:00 there is open, 09:00–11:00 not.
    lunch = merchant_create(town_a_in_reunion, name="A midi", week=[(0, "12:00", "14:00")])
    morning = merchant_create(town_a_in_reunion, name="B matin", week=[(0, "09:00", "11:00")])

    response = client_a.get("/commerces/")

    assert open_flags(response) == {lunch.slug: "true", morning.slug: "false"}


def test_a_card_says_closed_once_for_a_shop_closed_all_day(client_a, town_a):
    shop = merchant_create(town_a, name="Fermé le lundi", week=[(1, "09:00", "19:00")])

    body = client_a.get("/commerces/").content.decode()
    card = body[body.index(f'data-merchant="{shop.slug}"') :]
    card = card[: card.index("</li>")]

    assert "Closed today" in card
    assert card.count("Closed") == 1
