"""The map /carte/: Leaflet with markers from /carte/commerces.json, and the same places listed."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from marketplace.directory.models import Merchant
from tests.marketplace.directory.conftest import (
    WEEKDAYS_9_TO_19,
    category_create,
    merchant_create,
    queries_for,
)


@pytest.fixture(autouse=True)
def _monday_morning(frozen_now, english):
    frozen_now(datetime(2026, 1, 12, 9, 0, tzinfo=UTC))  # 10:00 in Paris


def located(town, name, **fields):
    return merchant_create(
        town, name=name, latitude=Decimal("45.6884"), longitude=Decimal("5.9153"), **fields
    )


@pytest.mark.smoke
def test_the_map_page_names_leaflet_and_lists_the_same_places(client_a, town_a, settings):
    settings.LEAFLET_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    shop = located(town_a, "Épicerie du Lac", week=WEEKDAYS_9_TO_19)
    merchant_create(town_a, name="Sans adresse")

    response = client_a.get("/carte/")

    body = response.content.decode()
    assert response.status_code == 200
    # Leaflet is named for map.js to fetch when the map is wanted, not loaded with the page.
    assert 'data-leaflet-js="/static/vendor/leaflet/leaflet.js"' in body
    assert 'data-leaflet-css="/static/vendor/leaflet/leaflet.css"' in body
    assert '<script src="/static/vendor/leaflet/leaflet.js"' not in body
    assert 'data-source="/carte/commerces.json"' in body
    assert 'data-tiles="https://tiles.example.test/{z}/{x}/{y}.png"' in body
    assert re.findall(r'<tr data-merchant="([^"]+)"', body) == [shop.slug]
    assert "Sans adresse" not in body
    assert 'href="#liste"' in body


def test_no_tile_server_is_named_in_tests(client_a, town_a):
    body = client_a.get("/carte/").content.decode()

    assert 'data-tiles=""' in body
    assert "openstreetmap.org/{z}" not in body


@pytest.mark.smoke
def test_the_markers_endpoint_gives_visible_located_merchants(client_a, town_a):
    category = category_create(town_a, name="Fromagerie")
    shop = located(town_a, "Fromagerie", category=category, week=WEEKDAYS_9_TO_19)
    located(town_a, "En attente", status=Merchant.Status.PENDING)
    merchant_create(town_a, name="Sans adresse")

    response = client_a.get("/carte/commerces.json")

    assert response.status_code == 200
    assert response.json() == {
        "merchants": [
            {
                "slug": shop.slug,
                "name": "Fromagerie",
                "url": f"/commerces/{shop.slug}/",
                "category": "Fromagerie",
                "address": "",
                "latitude": 45.6884,
                "longitude": 5.9153,
                "open_now": True,
            }
        ]
    }


def test_map_queries_stay_the_same_for_one_or_thirty_places(client_a, town_a):
    category = category_create(town_a)
    located(town_a, "Seul", category=category, week=WEEKDAYS_9_TO_19)
    page_one = queries_for(client_a, "/carte/")
    json_one = queries_for(client_a, "/carte/commerces.json")

    for number in range(29):
        located(town_a, f"Commerce {number}", category=category, week=WEEKDAYS_9_TO_19)

    assert queries_for(client_a, "/carte/") == page_one == 3
    assert queries_for(client_a, "/carte/commerces.json") == json_one == 3


def test_town_b_s_map_never_shows_town_a(client_b, town_a, town_b):
    located(town_a, "Épicerie du Lac")
    mine = located(town_b, "Bazar de Beta")

    assert [m["slug"] for m in client_b.get("/carte/commerces.json").json()["merchants"]] == [
        mine.slug
    ]
    assert "Épicerie du Lac" not in client_b.get("/carte/").content.decode()
