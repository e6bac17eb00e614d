"""A merchant's page /commerces/<slug>/: profile, week, exceptional days, products; visible only."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from comptoir.town import town_now
from marketplace.catalogue.models import Product, ProductPhoto, Variant
from marketplace.directory.hooks import merchant_page_sections
from marketplace.directory.models import Merchant, MerchantPhoto
from reporting.selectors import merchant_visits
from reporting.services import visits_flush
from tests.conftest import inside
from tests.marketplace.directory.conftest import (
    VALID_SIRET,
    WEEKDAYS_9_TO_19,
    merchant_create,
    queries_for,
    special_create,
)
from tests.reporting.builders import BROWSER

MONDAY = date(2026, 1, 12)


@pytest.fixture(autouse=True)
def _monday_morning(frozen_now, english):
    frozen_now(datetime(2026, 1, 12, 9, 0, tzinfo=UTC))  # 10:00 in Paris


def products_create(town, merchant, count: int, *, published: bool = True) -> list[Product]:
    with inside(town):
        products = []
        for number in range(count):
            product = Product.objects.create(
                merchant=merchant,
                title=f"Tomme de Savoie {number}",
                slug=f"tomme-{merchant.pk}-{number}-{published}",
                is_published=published,
            )
            Variant.objects.bulk_create(
                [
                    Variant(product=product, sku=f"T{number}-250", price_cents=650, stock=3),
                    Variant(product=product, sku=f"T{number}-500", price_cents=1190, stock=0),
                ]
            )
            ProductPhoto.objects.create(
                product=product, image="products/tomme.jpg", alt_text=f"Tomme {number}"
            )
            products.append(product)
        return products


@pytest.mark.smoke
def test_a_merchant_page_shows_profile_hours_contact_and_services(client_a, town_a):
    merchant = merchant_create(
        town_a,
        name="Épicerie du Lac",
        week=[*WEEKDAYS_9_TO_19, (0, "20:00", "00:00")],
        description="Produits du terroir.",
        address="3 quai du Lac",
        postcode="73100",
        city="Alpha-sur-Mer",
        phone="04 79 00 00 00",
        email="bonjour@epicerie.test",
        website="https://epicerie.test",
        instagram_url="https://instagram.com/epicerie",
        siret=VALID_SIRET,
        latitude=Decimal("45.688374"),
        longitude=Decimal("5.915300"),
        offers_local_delivery=True,
        local_delivery_zone="Centre-ville",
        local_delivery_fee_cents=350,
    )
    with inside(town_a):
        MerchantPhoto.objects.create(
            merchant=merchant, image="merchants/photos/vitrine.jpg", alt_text="La vitrine"
        )

    response = client_a.get(f"/commerces/{merchant.slug}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1" in body and "Épicerie du Lac" in body
    assert 'data-open="true"' in body
    assert re.search(r'<tr class="hours-today">\s*<th scope="row">Monday', body)
    assert "09:00–19:00, 20:00–24:00" in body
    assert 'alt="La vitrine"' in body
    assert 'href="tel:0479000000"' in body
    assert "mailto:bonjour@epicerie.test" in body
    assert "Centre-ville" in body and "3,50\u00a0€" in body
    assert 'data-latitude="45.688374"' in body
    assert "Shop window only" in body
    assert VALID_SIRET in body
    assert (
        f'<link rel="canonical" href="http://alpha.comptoir.test/commerces/{merchant.slug}/">'
        in body
    )


def test_upcoming_exceptional_days_are_listed_closures_as_periods(client_a, town_a):
    merchant = merchant_create(town_a, week=WEEKDAYS_9_TO_19)
    for offset in range(3):
        special_create(town_a, merchant, date(2026, 2, 9) + timedelta(days=offset), reason="Congés")
    special_create(
        town_a, merchant, date(2026, 1, 25), opens="10:00", closes="12:00", reason="Braderie"
    )
    special_create(town_a, merchant, date(2026, 1, 5), reason="Passé")

    body = client_a.get(f"/commerces/{merchant.slug}/").content.decode()

    assert "Sunday 25 January 2026" in body and "10:00–12:00 — Braderie" in body
    assert "From 9 February to 11 February 2026" in body and "Congés" in body
    assert "Passé" not in body


def test_today_s_exceptional_closure_shows_closed(client_a, town_a):
    merchant = merchant_create(town_a, week=WEEKDAYS_9_TO_19)
    special_create(town_a, merchant, MONDAY, reason="Inventaire")

    body = client_a.get(f"/commerces/{merchant.slug}/").content.decode()

    assert 'data-open="false"' in body
    assert "(Inventaire)" in body


def test_the_first_twelve_published_products_are_shown_with_their_price(client_a, town_a):
    merchant = merchant_create(town_a, sells_online=True, offers_click_collect=True)
    products = products_create(town_a, merchant, 13)
    hidden = products_create(town_a, merchant, 1, published=False)

    body = client_a.get(f"/commerces/{merchant.slug}/").content.decode()

    shown = re.findall(r'href="/produits/([^/"]+)/"', body)
    assert len(shown) == 12
    assert hidden[0].slug not in shown
    assert products[-1].slug in shown  # the newest first
    assert "from 6,50\u00a0€" in body
    assert 'alt="Tomme 12"' in body


def test_the_products_are_the_catalogue_s_section_registered_with_the_directory():
    [section] = merchant_page_sections()

    assert section.template_name == "catalogue/_merchant_products.html"


def test_queries_stay_the_same_whatever_the_products_photos_and_closures(client_a, town_a):
    small = merchant_create(town_a, name="Petit", week=WEEKDAYS_9_TO_19)
    products_create(town_a, small, 1)
    one = queries_for(client_a, f"/commerces/{small.slug}/")

    big = merchant_create(town_a, name="Grand", week=WEEKDAYS_9_TO_19)
    products_create(town_a, big, 14)
    with inside(town_a):
        for number in range(5):
            MerchantPhoto.objects.create(merchant=big, image="m.jpg", alt_text=f"Photo {number}")
    for offset in range(10):
        special_create(town_a, big, MONDAY + timedelta(days=offset))

    # The page's own queries: its view is counted after the response, by reporting (and the
    # test client, sending no user agent, is not counted at all).
    assert queries_for(client_a, f"/commerces/{big.slug}/") == one == 7


@pytest.mark.parametrize(
    "status", [Merchant.Status.PENDING, Merchant.Status.REJECTED, Merchant.Status.SUSPENDED]
)
def test_a_merchant_not_approved_has_no_page(client_a, town_a, status):
    merchant = merchant_create(town_a, status=status)

    assert client_a.get(f"/commerces/{merchant.slug}/").status_code == 404


def test_town_as_merchant_is_not_found_on_town_bs_host(client_a, client_b, town_a, town_b):
    merchant = merchant_create(town_a, name="Épicerie du Lac", slug="epicerie-du-lac")

    assert client_a.get("/commerces/epicerie-du-lac/").status_code == 200
    response = client_b.get("/commerces/epicerie-du-lac/")
    assert response.status_code == 404
    assert merchant.name not in response.content.decode()


def test_each_view_of_a_merchant_page_is_counted_for_its_back_office(client_a, town_a):
    merchant = merchant_create(town_a, name="Compté", week=WEEKDAYS_9_TO_19)

    client_a.get(f"/commerces/{merchant.slug}/", HTTP_USER_AGENT=BROWSER)
    client_a.get(f"/commerces/{merchant.slug}/", HTTP_USER_AGENT=BROWSER)

    visits_flush(schema_name=town_a.schema_name)  # what Redis holds, if it is there
    with inside(town_a):
        assert merchant_visits(merchant_id=merchant.pk, today=town_now().date()).today == 2


def test_merchant_page_offers_to_write_and_to_book(client_a, town_a):
    merchant = merchant_create(town_a, name="Salon", week=WEEKDAYS_9_TO_19)
    with inside(town_a):
        type(merchant).objects.filter(pk=merchant.pk).update(offers_appointments=True)

    body = client_a.get(f"/commerces/{merchant.slug}/").content.decode()

    assert f"/compte/messages/nouveau/?commerce={merchant.slug}" in body
    assert f"/commerces/{merchant.slug}/rendez-vous/" in body
