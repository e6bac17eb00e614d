"""The public merchants API /api/v1/public/merchants/: anonymous, paginated, throttled, per town."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle

from marketplace.directory.models import Category, Merchant
from tests.conftest import inside
from tests.marketplace.directory.conftest import (
    WEEKDAYS_9_TO_19,
    category_create,
    merchant_create,
    queries_for,
)


@pytest.fixture(autouse=True)
def _monday_morning(frozen_now):
    frozen_now(datetime(2026, 1, 12, 9, 0, tzinfo=UTC))  # 10:00 in Paris


@pytest.mark.smoke
def test_the_list_gives_each_visible_merchant_with_its_portal_url(client_a, town_a):
    category = category_create(town_a, name="Fromagerie")
    shop = merchant_create(
        town_a,
        name="Fromagerie du Port",
        category=category,
        week=WEEKDAYS_9_TO_19,
        address="3 quai du Lac",
        postcode="73100",
        city="Alpha-sur-Mer",
        latitude=Decimal("45.688374"),
        longitude=Decimal("5.9153"),
        sells_online=True,
        offers_click_collect=True,
    )
    merchant_create(town_a, name="En attente", status=Merchant.Status.PENDING)

    response = client_a.get("/api/v1/public/merchants/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "slug": shop.slug,
                "title": "Fromagerie du Port",
                "category": {"slug": category.slug, "name": "Fromagerie", "kind": "shop"},
                "address": "3 quai du Lac",
                "postcode": "73100",
                "city": "Alpha-sur-Mer",
                "latitude": 45.688374,
                "longitude": 5.9153,
                "url": f"http://alpha.comptoir.test/commerces/{shop.slug}/",
                "open_now": True,
                "sells_online": True,
            }
        ],
    }


def test_the_list_filters_by_category_and_name(client_a, town_a):
    food = category_create(town_a, name="Alimentation")
    bakery = category_create(town_a, name="Boulangerie", parent=food)
    association = category_create(town_a, name="Associations", kind=Category.Kind.ASSOCIATION)
    baker = merchant_create(town_a, name="Boulangerie Martin", category=bakery)
    grocer = merchant_create(town_a, name="Épicerie fine", category=food)
    club = merchant_create(town_a, name="Club de voile", category=association)

    def slugs(query: str) -> list[str]:
        return [
            item["slug"]
            for item in client_a.get(f"/api/v1/public/merchants/?{query}").json()["results"]
        ]

    assert slugs(f"category={food.slug}") == [baker.slug, grocer.slug]
    assert slugs(f"category={association.slug}") == [club.slug]
    assert slugs("q=epicerie") == [grocer.slug]
    assert slugs("category=no-such-category") == []


def test_the_list_is_paginated(client_a, town_a):
    category = category_create(town_a)
    for number in range(3):
        merchant_create(town_a, name=f"Commerce {number}", category=category)

    page = client_a.get("/api/v1/public/merchants/?page_size=2").json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"] == "http://alpha.comptoir.test/api/v1/public/merchants/?page=2&page_size=2"


def test_list_queries_stay_the_same_for_one_or_thirty_merchants(client_a, town_a):
    category = category_create(town_a)
    merchant_create(town_a, name="Seul", category=category, week=WEEKDAYS_9_TO_19)
    one = queries_for(client_a, "/api/v1/public/merchants/")

    for number in range(29):
        merchant_create(town_a, name=f"Commerce {number}", category=category, week=WEEKDAYS_9_TO_19)

    assert queries_for(client_a, "/api/v1/public/merchants/") == one == 4


@pytest.mark.smoke
def test_one_merchant_by_slug(client_a, town_a):
    shop = merchant_create(town_a, name="Fromagerie du Port", week=WEEKDAYS_9_TO_19)
    pending = merchant_create(town_a, name="En attente", status=Merchant.Status.PENDING)

    response = client_a.get(f"/api/v1/public/merchants/{shop.slug}/")

    assert response.status_code == 200
    assert response.json()["title"] == "Fromagerie du Port"
    assert response.json()["open_now"] is True
    assert client_a.get(f"/api/v1/public/merchants/{pending.slug}/").status_code == 404


def test_town_b_s_api_lists_and_serves_only_town_b(client_b, town_a, town_b):
    theirs = merchant_create(town_a, name="Épicerie du Lac", slug="epicerie-du-lac")
    mine = merchant_create(town_b, name="Bazar de Beta")

    listed = client_b.get("/api/v1/public/merchants/").json()["results"]

    assert [item["slug"] for item in listed] == [mine.slug]
    assert listed[0]["url"].startswith("http://beta.comptoir.test/")
    assert client_b.get(f"/api/v1/public/merchants/{theirs.slug}/").status_code == 404


def test_a_token_or_session_is_neither_needed_nor_used(client_a, town_a):
    merchant_create(town_a)

    response = client_a.get(
        "/api/v1/public/merchants/", HTTP_AUTHORIZATION="Token not-a-real-token"
    )

    assert response.status_code == 200


def test_anonymous_callers_are_throttled(client_a, town_a, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    address = "203.0.113.77"
    key = f"throttle_anon_{address}"
    with inside(town_a):  # cache keys carry the schema
        cache.delete(key)

    answers = [
        client_a.get("/api/v1/public/merchants/", REMOTE_ADDR=address).status_code
        for _call in range(3)
    ]

    with inside(town_a):
        cache.delete(key)
    assert answers == [200, 200, 429]


@pytest.mark.smoke
def test_the_openapi_schema_on_the_town_host_describes_the_endpoints(client_a):
    response = client_a.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/public/merchants/" in paths
    assert "/api/v1/public/merchants/{slug}/" in paths
    parameters = {p["name"] for p in paths["/api/v1/public/merchants/"]["get"]["parameters"]}
    assert {"category", "q", "page"} <= parameters
