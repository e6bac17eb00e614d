"""The directory in Chromium: list, merchant page and map (Leaflet, markers from JSON, no tiles
fetched), the widget inserted by its script tag on another page; axe-core on each page."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from marketplace.directory.models import Category, Merchant, OpeningHours
from tenants.models import Town

pytestmark = pytest.mark.e2e


@pytest.fixture
def shops(town_a: Town) -> Iterator[list[Merchant]]:
    """Two approved, located shops open every day all day, and one pending; deleted afterwards."""
    with schema_context(town_a.schema_name):
        category = Category.objects.create(name="Fromagerie", slug="e2e-fromagerie")
        made = [
            Merchant.objects.create(
                name=name,
                slug=slug,
                category=category,
                status=status,
                address="3 quai du Lac",
                postcode="73100",
                city="Alpha-sur-Mer",
                phone="04 79 00 00 00",
                latitude=Decimal(latitude),
                longitude=Decimal("5.9153"),
            )
            for name, slug, status, latitude in (
                (
                    "Fromagerie du Port",
                    "e2e-fromagerie-du-port",
                    Merchant.Status.APPROVED,
                    "45.6884",
                ),
                ("Crèmerie des Halles", "e2e-cremerie", Merchant.Status.APPROVED, "45.6890"),
                ("En attente", "e2e-en-attente", Merchant.Status.PENDING, "45.6895"),
            )
        ]
        OpeningHours.objects.bulk_create(
            OpeningHours(merchant=merchant, weekday=day, opens_at="00:00", closes_at="00:00")
            for merchant in made
            for day in range(7)
        )
    yield made
    with schema_context(town_a.schema_name):
        Merchant.objects.filter(pk__in=[m.pk for m in made]).delete()
        category.delete()


def test_directory_lists_the_shops_open_now_and_is_accessible(
    page, live_url, town_a, shops, axe_check
):
    page.goto(live_url(town_a, "/commerces/"))

    cards = page.locator(".merchant-card")
    expect(cards).to_have_count(2)
    expect(page.locator(".merchant-card [data-open=true]")).to_have_count(2)
    axe_check(page)

    page.locator("#id_q").fill("cremerie")
    page.locator("form.directory-filters button[type=submit]").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Crèmerie des Halles")


def test_merchant_page_shows_its_pin_and_is_accessible(page, live_url, town_a, shops, axe_check):
    page.goto(live_url(town_a, "/commerces/e2e-fromagerie-du-port/"))

    expect(page.locator("h1")).to_have_text("Fromagerie du Port")
    page.locator("#merchant-map").scroll_into_view_if_needed()
    expect(page.locator("#merchant-map.leaflet-container")).to_be_visible()
    expect(page.locator("#merchant-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator(".hours-today")).to_have_count(1)
    axe_check(page)


def test_map_draws_a_marker_per_located_shop_with_the_same_list_below(
    page, live_url, town_a, shops, axe_check
):
    page.goto(live_url(town_a, "/carte/"))

    expect(page.locator("#town-map .leaflet-marker-icon")).to_have_count(2)
    expect(page.locator(".map-list tbody tr")).to_have_count(2)
    axe_check(page)

    page.locator("#town-map .leaflet-marker-icon").first.click()
    expect(page.locator(".leaflet-popup-content a")).to_have_count(1)


def test_one_script_tag_on_another_site_shows_the_widget(page, live_url, town_a, shops, axe_check):
    page.goto(live_url(town_a, "/integrer/"))
    axe_check(page)

    page.set_content(
        "<main><h1>Association des commerçants</h1>"
        f'<script src="{live_url(town_a, "/widget.js")}"></script></main>'
    )

    expect(page.locator("main iframe")).to_have_attribute(
        "src", live_url(town_a, "/widget/commerces/")
    )
    frame = page.frame_locator("main iframe")
    expect(frame.locator(".widget-item")).to_have_count(2)
