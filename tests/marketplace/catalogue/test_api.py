import pytest
from django.db import connection

from marketplace.catalogue.services.products import VariantInput, product_create, product_update
from marketplace.directory.models import Merchant
from tests.conftest import inside
from tests.marketplace.catalogue.conftest import jpeg_upload, merchant_create

NBSP = "\u00a0"


@pytest.fixture
def honey(town_a, merchant_a, media_root):
    with inside(town_a):
        return product_create(
            merchant=merchant_a, title="Miel de montagne", price_cents=1290,
            description="Récolté au-dessus du lac.",
            variants=[VariantInput(name="250 g", stock=2, price_cents=790),
                      VariantInput(name="500 g", stock=8)],
            photo=jpeg_upload(),
        )  # fmt: skip


@pytest.mark.smoke
def test_public_products_list_items(client_a, honey, merchant_a):
    response = client_a.get("/api/v1/public/products/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "slug": "miel-de-montagne",
                "title": "Miel de montagne",
                "price_cents": 790,
                "price_display": f"7,90{NBSP}€",
                "merchant": {"slug": merchant_a.slug, "name": "Épicerie du Lac"},
                "url": "http://alpha.comptoir.test/produits/miel-de-montagne/",
                "image": "http://alpha.comptoir.test/media/alpha/products/miel-de-montagne.jpg",
                "availability": "in_stock",
            }
        ],
    }


def test_public_products_search_with_q(client_a, town_a, merchant_a, honey):
    with inside(town_a):
        product_create(merchant=merchant_a, title="Épicerie fine", price_cents=2500, stock=1)
        product_create(merchant=merchant_a, title="Bougie", price_cents=900, stock=1)

    found = client_a.get("/api/v1/public/products/", {"q": "epicrie"}).json()
    right = client_a.get("/api/v1/public/products/", {"q": "épicerie"}).json()
    honeys = client_a.get("/api/v1/public/products/", {"q": "miels"}).json()

    # The typo is corrected as on the search page: what "épicerie" finds (the title first,
    # then the products of the shop "Épicerie du Lac").
    assert found["results"] == right["results"]
    assert found["results"][0]["title"] == "Épicerie fine"
    assert (found["results"][0]["availability"], found["results"][0]["image"]) == ("low", None)
    assert [item["slug"] for item in honeys["results"]] == ["miel-de-montagne"]


def test_public_products_pages(client_a, town_a, merchant_a, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"PAGE_SIZE": 2}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        with inside(town_a):
            for number in range(5):
                product_create(merchant=merchant_a, title=f"Savon {number}", price_cents=500)
        first = client_a.get("/api/v1/public/products/", {"q": "savon"}).json()
        second = client_a.get(first["next"]).json()
        beyond = client_a.get("/api/v1/public/products/", {"q": "savon", "page": 9})
    finally:
        settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"PAGE_SIZE": 50}
        api_settings.reload()

    assert (first["count"], len(first["results"]), first["previous"]) == (5, 2, None)
    assert first["next"] == "http://alpha.comptoir.test/api/v1/public/products/?page=2&q=savon"
    assert second["previous"] == "http://alpha.comptoir.test/api/v1/public/products/?q=savon"
    assert beyond.status_code == 404


def test_public_products_refuse_a_bad_page(client_a, honey):
    assert client_a.get("/api/v1/public/products/", {"page": "zero"}).status_code == 400


def test_public_product_detail(client_a, honey, merchant_a):
    response = client_a.get("/api/v1/public/products/miel-de-montagne/")

    assert response.status_code == 200
    data = response.json()
    assert data["description"] == "Récolté au-dessus du lac."
    assert data["variants"] == [
        {"sku": f"P{honey.pk}-1", "name": "250 g", "size": "", "colour": "",
         "price_cents": 790, "price_display": f"7,90{NBSP}€", "availability": "low"},
        {"sku": f"P{honey.pk}-2", "name": "500 g", "size": "", "colour": "",
         "price_cents": 1290, "price_display": f"12,90{NBSP}€", "availability": "in_stock"},
    ]  # fmt: skip
    assert data["images"] == [
        "http://alpha.comptoir.test/media/alpha/products/miel-de-montagne.jpg"
    ]
    assert (data["vat_rate"], data["sold_in_shop_only"]) == (2000, False)


def test_hidden_products_are_not_in_the_api(client_a, town_a, merchant_a, honey):
    pending = merchant_create(town_a, name="En attente", status=Merchant.Status.PENDING)
    with inside(town_a):
        product_create(merchant=pending, title="Miel caché", price_cents=100)
        product_update(merchant=merchant_a, product_id=honey.pk, is_published=False)

    assert client_a.get("/api/v1/public/products/").json()["count"] == 0
    assert client_a.get("/api/v1/public/products/?q=miel").json()["count"] == 0
    assert client_a.get("/api/v1/public/products/miel-de-montagne/").status_code == 404
    assert client_a.get("/api/v1/public/products/miel-cache/").status_code == 404


def test_another_towns_api_lists_only_its_own_products(client_b, town_b, merchant_b, honey):
    with inside(town_b):
        product_create(merchant=merchant_b, title="Miel de Beta", price_cents=100)

    listed = client_b.get("/api/v1/public/products/").json()
    searched = client_b.get("/api/v1/public/products/", {"q": "montagne"}).json()

    assert [item["title"] for item in listed["results"]] == ["Miel de Beta"]
    assert listed["results"][0]["url"].startswith("http://beta.comptoir.test/")
    assert searched["count"] == 0
    assert client_b.get("/api/v1/public/products/miel-de-montagne/").status_code == 404


@pytest.mark.parametrize("products", [1, 30])
def test_public_products_query_count_is_constant(
    client_a, town_a, merchant_a, media_root, django_assert_num_queries, products
):
    with inside(town_a):
        for number in range(products):
            product_create(
                merchant=merchant_a, title=f"Savon {number}", price_cents=500, stock=3,
                photo=jpeg_upload() if number < 2 else None,
            )  # fmt: skip
    client_a.get("/")

    # Each query after django-tenants' SET search_path. The newest: count, page ids, products
    # (with prices, stock and first photo). A search: the spelling's correction, matches (count
    # and page ids), products; the same when a word was corrected.
    with django_assert_num_queries(2 * 3, connection=connection):
        assert client_a.get("/api/v1/public/products/").status_code == 200
    with django_assert_num_queries(2 * 3, connection=connection):
        assert client_a.get("/api/v1/public/products/", {"q": "savon"}).status_code == 200
    with django_assert_num_queries(2 * 3, connection=connection):
        assert client_a.get("/api/v1/public/products/", {"q": "svaon"}).status_code == 200


def test_openapi_schema_describes_the_public_products_api(client_a):
    response = client_a.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    listing = schema["paths"]["/api/v1/public/products/"]["get"]
    assert {parameter["name"] for parameter in listing["parameters"]} == {
        "q", "category", "merchant", "page",
    }  # fmt: skip
    assert "/api/v1/public/products/{slug}/" in schema["paths"]
    item = schema["components"]["schemas"]["PublicProduct"]["properties"]
    assert set(item) == {
        "slug", "title", "price_cents", "price_display", "merchant", "url", "image", "availability",
    }  # fmt: skip
