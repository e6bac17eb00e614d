import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.catalogue.models import Product, ProductPhoto, StockMovement, Variant
from tests.conftest import inside
from tests.marketplace.backoffice.builders import product_add, stock_of, variants_of
from tests.marketplace.catalogue.conftest import jpeg_upload

# User, shop, the unread badge and the cart badge of the town's header, then the page.
LIST_QUERIES = 16


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _variant_stock_movements(town, variant) -> list[tuple[int, int, str]]:
    with inside(town):
        return list(
            StockMovement.objects.filter(variant=variant)
            .order_by("pk")
            .values_list("delta", "balance_after", "reason")
        )


# --- list ---------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.parametrize("count", [1, 4])
def test_product_list_costs_the_same_queries_whatever_the_number(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    for number in range(count):
        product_add(town_a, shop_a, title=f"Bouquet {number}", stocks=(3, 5))
    owner_client.get("/boutique/produits/")

    with django_assert_num_queries(LIST_QUERIES):
        response = owner_client.get("/boutique/produits/")

    assert len(response.context["page"].object_list) == count


def test_product_list_finds_by_title_ignoring_accents_and_lists_only_the_shops(
    owner_client, town_a, shop_a, rival_a
):
    product_add(town_a, shop_a, title="Pivoines éclatantes")
    product_add(town_a, shop_a, title="Roses")
    product_add(town_a, rival_a, title="Pivoines du rival")

    response = owner_client.get("/boutique/produits/?q=ECLAT")

    assert [p.title for p in response.context["page"].object_list] == ["Pivoines éclatantes"]
    everything = owner_client.get("/boutique/produits/")
    assert {p.title for p in everything.context["page"].object_list} == {
        "Pivoines éclatantes",
        "Roses",
    }


def test_product_list_is_paginated(owner_client, town_a, shop_a):
    for number in range(27):
        product_add(town_a, shop_a, title=f"Produit {number:02d}")

    first = owner_client.get("/boutique/produits/")
    second = owner_client.get("/boutique/produits/?page=2")

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2


# --- add ----------------------------------------------------------------------------------


@pytest.mark.smoke
def test_add_page_puts_the_photo_first(english, owner_client):
    page = owner_client.get("/boutique/produits/nouveau/").content.decode()

    assert page.index('name="photo"') < page.index('name="title"') < page.index('name="price"')


def test_owner_adds_a_product_with_its_photo_in_one_screen(
    owner_client, town_a, shop_a, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = owner_client.post(
            "/boutique/produits/nouveau/",
            {
                "photo": jpeg_upload(),
                "photo_alt": "Bouquet de pivoines roses",
                "title": "Pivoines",
                "price": "24,90",
                "stock": "7",
                "vat_rate": "2000",
                "is_published": "on",
                "variants-TOTAL_FORMS": "1",
                "variants-INITIAL_FORMS": "0",
            },
        )

    assert response.status_code == 302
    assert response["Location"] == "/boutique/produits/"
    with inside(town_a):
        product = Product.objects.get(merchant=shop_a)
        variant = product.variants.get()
        assert (product.title, variant.price_cents, variant.stock) == ("Pivoines", 2490, 7)
        assert ProductPhoto.objects.get(product=product).alt_text == "Bouquet de pivoines roses"


def test_adding_with_a_bad_price_shows_the_error_and_creates_nothing(
    english, owner_client, town_a, shop_a
):
    response = owner_client.post(
        "/boutique/produits/nouveau/",
        {
            "title": "Pivoines",
            "price": "vingt euros",
            "stock": "7",
            "vat_rate": "2000",
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["price"]
    with inside(town_a):
        assert not Product.objects.filter(merchant=shop_a).exists()


def test_owner_adds_a_product_in_two_sizes(owner_client, town_a, shop_a):
    response = owner_client.post(
        "/boutique/produits/nouveau/",
        {
            "title": "T-shirt",
            "price": "20",
            "stock": "0",
            "vat_rate": "2000",
            "variants-TOTAL_FORMS": "2",
            "variants-INITIAL_FORMS": "0",
            "variants-0-size": "S",
            "variants-0-stock": "3",
            "variants-1-size": "M",
            "variants-1-price": "22",
            "variants-1-stock": "4",
        },
    )

    assert response.status_code == 302
    with inside(town_a):
        assert list(
            Variant.objects.filter(product__merchant=shop_a)
            .order_by("position")
            .values_list("size", "price_cents", "stock")
        ) == [("S", 2000, 3), ("M", 2200, 4)]


# --- edit, duplicate ----------------------------------------------------------------------


def test_owner_edits_a_simple_product_and_the_stock_change_is_recorded(
    owner_client, owner_a, town_a, shop_a
):
    product = product_add(town_a, shop_a, title="Pivoines", stocks=(5,))
    [variant] = variants_of(town_a, product)

    response = owner_client.post(
        f"/boutique/produits/{product.pk}/",
        {"title": "Pivoines roses", "price": "19,50", "stock": "8", "vat_rate": "2000",
         "is_published": "on"},
    )  # fmt: skip

    assert response.status_code == 302
    with inside(town_a):
        product.refresh_from_db()
        variant.refresh_from_db()
    assert (product.title, variant.price_cents, variant.stock) == ("Pivoines roses", 1950, 8)
    assert _variant_stock_movements(town_a, variant) == [(3, 8, "manual")]


def test_owner_edits_a_product_and_adds_a_photo_in_one_save(owner_client, town_a, shop_a, media):
    product = product_add(town_a, shop_a, title="Pivoines", stocks=(5,))

    response = owner_client.post(
        f"/boutique/produits/{product.pk}/",
        {"title": "Pivoines roses", "price": "19,50", "stock": "5", "vat_rate": "2000",
         "photo": jpeg_upload(), "photo_alt": "Un bouquet"},
    )  # fmt: skip

    assert response.status_code == 302
    with inside(town_a):
        product.refresh_from_db()
        assert product.title == "Pivoines roses"
        assert list(product.photos.values_list("alt_text", flat=True)) == ["Un bouquet"]


def test_a_refused_photo_leaves_the_edited_product_as_it_was(
    english, owner_client, town_a, shop_a, media
):
    product = product_add(town_a, shop_a, title="Pivoines", stocks=(5,))
    bitmap = io.BytesIO()
    Image.new("RGB", (40, 40)).save(bitmap, "BMP")  # Pillow reads it; the catalogue does not

    response = owner_client.post(
        f"/boutique/produits/{product.pk}/",
        {"title": "Autre", "price": "19,50", "stock": "5", "vat_rate": "2000",
         "photo": SimpleUploadedFile("photo.bmp", bitmap.getvalue(), "image/bmp")},
    )  # fmt: skip

    assert response.status_code == 400
    assert "This file is not a photo we can read" in response.content.decode()
    with inside(town_a):
        product.refresh_from_db()
        assert product.title == "Pivoines"
        assert not product.photos.exists()
    assert not any(media.rglob("*.bmp"))


def test_editing_with_a_negative_stock_changes_nothing(owner_client, town_a, shop_a):
    product = product_add(town_a, shop_a, title="Pivoines", stocks=(5,))
    [variant] = variants_of(town_a, product)

    response = owner_client.post(
        f"/boutique/produits/{product.pk}/",
        {"title": "Autre", "price": "19,50", "stock": "-2", "vat_rate": "2000"},
    )

    assert response.status_code == 400
    with inside(town_a):
        product.refresh_from_db()
    assert product.title == "Pivoines"
    assert stock_of(town_a, variant) == 5


def test_a_product_with_sizes_is_edited_variant_by_variant(owner_client, town_a, shop_a):
    product = product_add(town_a, shop_a, title="T-shirt", stocks=(2, 4))
    small, medium = variants_of(town_a, product)
    page = owner_client.get(f"/boutique/produits/{product.pk}/")
    assert page.context["variants"] is not None

    response = owner_client.post(
        f"/boutique/produits/{product.pk}/",
        {
            "title": "T-shirt",
            "vat_rate": "2000",
            "variants-TOTAL_FORMS": "3",
            "variants-INITIAL_FORMS": "2",
            "variants-0-id": str(small.pk),
            "variants-0-name": small.name,
            "variants-0-sku": small.sku,
            "variants-0-price": "25",
            "variants-0-stock": "2",
            "variants-1-id": str(medium.pk),
            "variants-1-name": medium.name,
            "variants-1-sku": medium.sku,
            "variants-1-price": "25",
            "variants-1-stock": "9",
        },
    )

    assert response.status_code == 302
    assert stock_of(town_a, medium) == 9
    with inside(town_a):
        assert set(
            Variant.objects.filter(product=product).values_list("price_cents", flat=True)
        ) == {2500}


def test_owner_duplicates_a_product(owner_client, town_a, shop_a):
    product = product_add(town_a, shop_a, title="Pivoines", stocks=(5,))

    response = owner_client.post(f"/boutique/produits/{product.pk}/dupliquer/")

    with inside(town_a):
        copy = Product.objects.exclude(pk=product.pk).get(merchant=shop_a)
    assert response["Location"] == f"/boutique/produits/{copy.pk}/"
    assert copy.title.startswith("Pivoines") and copy.is_published is False


# --- bulk edit ----------------------------------------------------------------------------


def _new_product(**changes: str) -> dict[str, str]:
    return {
        "title": "Pivoines",
        "price": "3,50",
        "stock": "7",
        "vat_rate": "2000",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "0",
    } | changes


@pytest.mark.parametrize("typed", ["3,50", "3.50", "3,5"])
def test_a_price_typed_in_euros_is_stored_in_cents(owner_client, town_a, shop_a, typed):
    response = owner_client.post("/boutique/produits/nouveau/", _new_product(price=typed))

    assert response.status_code == 302
    with inside(town_a):
        assert Variant.objects.get(product__merchant=shop_a).price_cents == 350


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0", "Le montant est d’au moins 0,01\u00a0€."),
        ("0,00", "Le montant est d’au moins 0,01\u00a0€."),
        ("-3,50", "Le montant ne peut pas être négatif."),
        ("3,505", "Au plus deux décimales (les centimes), par exemple 3,50."),
    ],
)
def test_a_free_negative_or_over_precise_price_is_refused_on_its_field(
    owner_client, town_a, shop_a, typed, error
):
    response = owner_client.post("/boutique/produits/nouveau/", _new_product(price=typed))

    assert response.status_code == 400
    assert error in response.content.decode()
    with inside(town_a):
        assert not Product.objects.filter(merchant=shop_a).exists()


def test_an_over_long_description_is_refused_and_the_form_says_the_limit(
    owner_client, town_a, shop_a
):
    assert "5\u00a0000 caractères au plus." in (
        owner_client.get("/boutique/produits/nouveau/").content.decode()
    )

    response = owner_client.post(
        "/boutique/produits/nouveau/", _new_product(description="a" * 200_000)
    )

    assert response.status_code == 400
    assert "Au plus 5000 caractères (ce texte en a 200000)." in response.content.decode()
    with inside(town_a):
        assert not Product.objects.filter(merchant=shop_a).exists()


def test_the_bulk_edit_reads_euros_and_refuses_a_free_price(owner_client, town_a, shop_a):
    first = variants_of(town_a, product_add(town_a, shop_a, title="A", stocks=(5,)))[0]
    second = variants_of(town_a, product_add(town_a, shop_a, title="B", stocks=(6,)))[0]
    page = owner_client.get("/boutique/produits/prix-et-stock/").content.decode()
    assert 'value="25,00"' in page

    refused = owner_client.post(
        "/boutique/produits/prix-et-stock/", _bulk_post([first, second], [("3.50", 5), ("0", 6)])
    )
    accepted = owner_client.post(
        "/boutique/produits/prix-et-stock/", _bulk_post([first, second], [("3.50", 5), ("25", 6)])
    )

    assert (refused.status_code, accepted.status_code) == (400, 302)
    with inside(town_a):
        assert Variant.objects.get(pk=first.pk).price_cents == 350
        assert Variant.objects.get(pk=second.pk).price_cents == 2500


def _bulk_post(variants, values):
    data = {"bulk-TOTAL_FORMS": str(len(variants)), "bulk-INITIAL_FORMS": str(len(variants))}
    for index, (variant, (price, stock)) in enumerate(zip(variants, values, strict=True)):
        data[f"bulk-{index}-variant_id"] = str(variant.pk)
        data[f"bulk-{index}-price"] = price
        data[f"bulk-{index}-stock"] = str(stock)
    return data


@pytest.mark.parametrize("count", [1, 3])
def test_bulk_table_costs_the_same_queries_whatever_the_number(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    for number in range(count):
        product_add(town_a, shop_a, title=f"Produit {number}", stocks=(1, 2))
    owner_client.get("/boutique/produits/prix-et-stock/")

    with django_assert_num_queries(12):
        response = owner_client.get("/boutique/produits/prix-et-stock/")

    assert len(response.context["rows"]) == 2 * count


def test_bulk_edit_saves_only_the_changed_cells(owner_client, owner_a, town_a, shop_a):
    first = variants_of(town_a, product_add(town_a, shop_a, title="A", stocks=(5,)))[0]
    second = variants_of(town_a, product_add(town_a, shop_a, title="B", stocks=(6,)))[0]

    response = owner_client.post(
        "/boutique/produits/prix-et-stock/",
        _bulk_post([first, second], [("25,00", 5), ("30,00", 6)]),
    )

    assert response.status_code == 302
    with inside(town_a):
        assert Variant.objects.get(pk=first.pk).price_cents == 2500
        assert Variant.objects.get(pk=second.pk).price_cents == 3000
    assert _variant_stock_movements(town_a, first) == []

    owner_client.post(
        "/boutique/produits/prix-et-stock/",
        _bulk_post([first, second], [("25,00", 2), ("30,00", 6)]),
    )
    assert stock_of(town_a, first) == 2
    assert _variant_stock_movements(town_a, first) == [(-3, 2, "manual")]


def test_bulk_edit_with_one_bad_line_saves_nothing(owner_client, town_a, shop_a):
    first = variants_of(town_a, product_add(town_a, shop_a, title="A", stocks=(5,)))[0]
    second = variants_of(town_a, product_add(town_a, shop_a, title="B", stocks=(6,)))[0]

    response = owner_client.post(
        "/boutique/produits/prix-et-stock/",
        _bulk_post([first, second], [("25,00", 9), ("abc", 6)]),
    )

    assert response.status_code == 400
    assert stock_of(town_a, first) == 5
    with inside(town_a):
        assert Variant.objects.get(pk=first.pk).price_cents == 2500


def test_bulk_edit_cannot_touch_another_shops_variant(owner_client, town_a, shop_a, rival_a):
    foreign = variants_of(town_a, product_add(town_a, rival_a, title="X", stocks=(5,)))[0]
    data = {
        "bulk-TOTAL_FORMS": "1",
        "bulk-INITIAL_FORMS": "0",
        "bulk-0-variant_id": str(foreign.pk),
        "bulk-0-price": "1,00",
        "bulk-0-stock": "0",
    }

    response = owner_client.post("/boutique/produits/prix-et-stock/", data)

    assert response.status_code == 400
    assert stock_of(town_a, foreign) == 5


# --- stock history ------------------------------------------------------------------------


@pytest.mark.parametrize("moves", [1, 5])
def test_stock_history_lists_the_moves_in_constant_queries(
    owner_client, owner_a, town_a, shop_a, moves, django_assert_num_queries
):
    from marketplace.catalogue.services.stock import stock_adjust

    variant = variants_of(town_a, product_add(town_a, shop_a, stocks=(0,)))[0]
    with inside(town_a):
        for _ in range(moves):
            stock_adjust(variant_id=variant.pk, delta=2, reason="manual", actor=owner_a)
    url = f"/boutique/produits/variantes/{variant.pk}/stock/"
    owner_client.get(url)

    with django_assert_num_queries(12):
        response = owner_client.get(url)

    assert [m.balance_after for m in response.context["movements"]] == [
        2 * n for n in range(moves, 0, -1)
    ]


# --- isolation ----------------------------------------------------------------------------


def test_another_shops_products_answer_404_and_stay_as_they_were(rival_client, town_a, shop_a):
    product = product_add(town_a, shop_a, title="Pivoines", stocks=(5,))
    [variant] = variants_of(town_a, product)

    assert rival_client.get(f"/boutique/produits/{product.pk}/").status_code == 404
    assert rival_client.get(f"/boutique/produits/variantes/{variant.pk}/stock/").status_code == 404
    assert (
        rival_client.post(
            f"/boutique/produits/{product.pk}/",
            {"title": "Volé", "price": "1", "stock": "0", "vat_rate": "2000"},
        ).status_code
        == 404
    )
    assert rival_client.post(f"/boutique/produits/{product.pk}/dupliquer/").status_code == 404
    with inside(town_a):
        assert Product.objects.get(pk=product.pk).title == "Pivoines"
        assert Product.objects.count() == 1


def test_town_bs_shop_cannot_reach_town_as_product_by_id(town_a, town_b, shop_a, shop_b):
    from django.test import Client

    from tests.conftest import host_of, signed_in

    product = product_add(town_a, shop_a, title="Pivoines")
    client = signed_in(Client(HTTP_HOST=host_of(town_b)), town_b, "owner@beta.test")

    assert client.get(f"/boutique/produits/{product.pk}/").status_code == 404


@pytest.mark.parametrize("sizes", [1, 4])
def test_product_page_costs_the_same_queries_whatever_the_variants(
    owner_client, town_a, shop_a, sizes, django_assert_num_queries
):
    product = product_add(town_a, shop_a, stocks=tuple(range(1, sizes + 1)))
    url = f"/boutique/produits/{product.pk}/"
    owner_client.get(url)

    with django_assert_num_queries(15):
        owner_client.get(url)


def test_bulk_edit_reports_the_count_with_a_french_plural(owner_client, town_a, shop_a):
    first = variants_of(town_a, product_add(town_a, shop_a, title="A", stocks=(5,)))[0]
    second = variants_of(town_a, product_add(town_a, shop_a, title="B", stocks=(6,)))[0]

    response = owner_client.post(
        "/boutique/produits/prix-et-stock/",
        _bulk_post([first, second], [("26,50", 5), ("31,50", 6)]),
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["2 variantes mises à jour."]
