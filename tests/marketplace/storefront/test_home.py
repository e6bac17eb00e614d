"""The town's home page: branding, the current campaign, categories, open now, featured
merchants and products, newest products — bounded lists in a constant number of queries."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from marketplace.directory.models import Merchant, SpecialHours
from marketplace.storefront.content import HOME_NEWEST_PRODUCTS, HOME_OPEN_NOW, home_page_content
from tests.conftest import cache_empty, inside
from tests.marketplace.campaigns.factories import (
    campaign_create_row,
    category_create,
    merchant_create,
    product_create,
)

PARIS = ZoneInfo("Europe/Paris")
# A Tuesday in December, late morning.
NOW = datetime(2030, 12, 10, 11, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _frozen_town_clock(monkeypatch):
    monkeypatch.setattr("marketplace.storefront.views.town_now", lambda: NOW)


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the msgids, whatever the French catalogue says."""
    settings.LANGUAGE_CODE = "en"


def _home(town):
    """What the home page of `town` shows at NOW."""
    with inside(town):
        return home_page_content(now=NOW)


def _town_with(town, count: int):
    """`count` merchants open now across two categories (one a sub-category), a product with a
    photo each, and a running campaign featuring them all."""
    food = category_create(town, name="Alimentation", position=1)
    bakery = category_create(town, name="Boulangerie", parent=food)
    crafts = category_create(town, name="Artisanat", position=2)
    merchants = [
        merchant_create(town, name=f"Boutique {n:02d}", category=(bakery, crafts)[n % 2])
        for n in range(count)
    ]
    products = [
        product_create(town, merchant, title=f"Article {n:02d}", photo=True)
        for n, merchant in enumerate(merchants)
    ]
    campaign_create_row(
        town,
        title="Noël dans nos commerces",
        starts_on=date(2030, 12, 1),
        ends_on=date(2030, 12, 24),
        merchants=merchants,
        products=products,
    )
    return food, crafts, merchants, products


@pytest.mark.smoke
@pytest.mark.parametrize("count", [1, 30])
def test_the_home_page_costs_the_same_queries_whatever_the_data(
    client_a, town_a, count, django_assert_num_queries
):
    _town_with(town_a, count)
    client_a.get("/")  # warm the routing cache
    cache_empty()  # and render the page again

    # campaign, its products, its merchants, featured merchants with their newest products (one
    # query since the performance pass), categories, open now, newest products, variants,
    # photos, opening hours, special hours; each after django-tenants' SET search_path
    with django_assert_num_queries(2 * 11, connection=connection):
        response = client_a.get("/")

    assert response.status_code == 200
    home = _home(town_a)
    assert home.campaign.title == "Noël dans nos commerces"
    assert len(home.campaign_products) == min(count, 8)
    assert len(home.open_now) == min(count, HOME_OPEN_NOW)
    assert len(home.featured_merchants) == min(count, 6)


def test_the_home_page_shows_every_section(client_a, town_a):
    food, *_rest = _town_with(town_a, 3)

    response = client_a.get("/")

    html = response.content.decode()
    home = _home(town_a)
    assert f'<h1 id="hero-title">{town_a.name}</h1>' in html
    assert '<h2 id="campaign-title">Noël dans nos commerces</h2>' in html
    assert [(item.category.name, item.merchant_count) for item in home.categories] == [
        ("Alimentation", 2),
        ("Artisanat", 1),
    ]
    assert f"?categorie={food.slug}" in html
    assert {m.name for m in home.open_now} == {"Boutique 00", "Boutique 01", "Boutique 02"}
    assert all(merchant.open_now for merchant in home.open_now)
    assert {p.title for p in home.featured_products} == {"Article 00", "Article 01", "Article 02"}
    card = home.featured_products[0]
    assert (card.lowest_price_cents, card.availability) == (850, "in_stock")
    assert card.main_photo is not None
    assert "8,50" in html


def test_newest_products_are_bounded_newest_first_and_not_repeated(client_a, town_a):
    merchant = merchant_create(town_a)
    for number in range(20):
        product_create(town_a, merchant, title=f"Nouveauté {number:02d}")

    home = _home(town_a)

    # The merchant is featured with its newest product, so the list starts with the next one.
    assert [p.title for p in home.featured_products] == ["Nouveauté 19"]
    assert [p.title for p in home.newest_products] == [
        f"Nouveauté {n:02d}" for n in range(18, 18 - HOME_NEWEST_PRODUCTS, -1)
    ]


def test_open_now_follows_the_hours_and_exceptional_closures(client_a, town_a):
    merchant_create(town_a, name="Ouverte")
    merchant_create(town_a, name="Fermée le matin", opens=time(14), closes=time(19))
    closed_today = merchant_create(town_a, name="Inventaire")
    with inside(town_a):
        SpecialHours.objects.create(merchant=closed_today, date=NOW.date(), reason="Inventaire")

    html = client_a.get("/").content.decode()

    assert [m.name for m in _home(town_a).open_now] == ["Ouverte"]
    assert ">Ouverte</a>" in html
    assert "Fermée le matin" not in html


def test_hidden_content_stays_off_the_home_page(client_a, town_a):
    pending = merchant_create(town_a, name="En attente", status=Merchant.Status.PENDING)
    product_create(town_a, pending, title="Pas encore")
    shown = merchant_create(town_a, name="Approuvée")
    product_create(town_a, shown, title="Brouillon", is_published=False)
    campaign_create_row(
        town_a,
        title="Campagne brouillon",
        starts_on=date(2030, 12, 1),
        ends_on=date(2030, 12, 24),
        is_published=False,
    )
    campaign_create_row(
        town_a, title="Campagne finie", starts_on=date(2030, 11, 1), ends_on=date(2030, 11, 30)
    )

    response = client_a.get("/")

    home = _home(town_a)
    html = response.content.decode()
    assert home.campaign is None
    assert home.newest_products == []
    assert home.featured_merchants == []
    assert [m.name for m in home.open_now] == ["Approuvée"]
    for hidden in ("En attente", "Pas encore", "Brouillon", "Campagne"):
        assert hidden not in html


def test_a_town_without_merchants_says_the_shops_are_coming(client_a, town_a):
    response = client_a.get("/")

    assert response.status_code == 200
    assert "The shops are on their way" in response.content.decode()


def test_one_towns_content_never_shows_on_another(client_b, town_a, town_b):
    _town_with(town_a, 2)

    response = client_b.get("/")

    home = _home(town_b)
    html = response.content.decode()
    assert home.campaign is None
    assert home.open_now == []
    assert home.newest_products == []
    assert "Boutique 00" not in html
    assert "Noël dans nos commerces" not in html
