import pytest
from django.utils.translation import gettext as _

from marketplace.catalogue.errors import ProductInvalid, ProductNotFound
from marketplace.catalogue.models import Product, ProductPhoto, StockMovement, Variant
from marketplace.catalogue.services.products import (
    VariantChange,
    VariantInput,
    product_create,
    product_duplicate,
    product_update,
    products_bulk_update,
)
from tests.conftest import inside
from tests.marketplace.catalogue.conftest import (
    category_create,
    jpeg_upload,
    merchant_create,
    product_row_create,
)


def _variants(product) -> list[tuple]:
    return list(
        Variant.objects.filter(product=product)
        .order_by("position", "pk")
        .values_list("sku", "name", "size", "colour", "price_cents", "stock")
    )


def test_product_create_in_one_screen(town_a, merchant_a, admin_a, media_root):
    category = category_create(town_a, name="Savonnerie")
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="  Savon au lait d'ânesse ", price_cents=650, stock=12,
            description="Doux pour la peau.", category=category, tags="savon, bio,, savon ",
            vat_rate=Product.VatRate.STANDARD, photo=jpeg_upload(), photo_alt="Savon rond",
            actor=admin_a,
        )  # fmt: skip

        product.refresh_from_db()
        assert (product.title, product.slug, product.tags, product.merchant_id) == (
            "Savon au lait d'ânesse", "savon-au-lait-danesse", "savon, bio", merchant_a.pk,
        )  # fmt: skip
        assert product.category_id == category.pk and product.is_published
        assert _variants(product) == [(f"P{product.pk}-1", "", "", "", 650, 12)]
        movement = StockMovement.objects.get(variant__product=product)
        assert (movement.delta, movement.reason, movement.actor_id) == (12, "manual", admin_a.pk)
        photo = product.photos.get()
        assert photo.image.name == "alpha/products/savon-au-lait-danesse.jpg"
        assert photo.alt_text == "Savon rond"
        assert product.title_normalised == "savon au lait d'anesse"
        assert "'savon':1A" in product.search_vector


def test_product_create_with_variants(town_a, merchant_a):
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="T-shirt", price_cents=2000,
            variants=[
                VariantInput(size="S", colour="Bleu", stock=3),
                VariantInput(size="M", colour="Bleu", stock=0, sku="TS-M", price_cents=2200),
            ],
        )  # fmt: skip

        assert _variants(product) == [
            (f"P{product.pk}-1", "S / Bleu", "S", "Bleu", 2000, 3),
            ("TS-M", "M / Bleu", "M", "Bleu", 2200, 0),
        ]


def test_product_slugs_stay_unique(town_a, merchant_a):
    with inside(town_a):
        slugs = [
            product_create(merchant=merchant_a, title="Miel de lavande", price_cents=900).slug
            for _ in range(3)
        ]
        other = product_create(merchant=merchant_a, title="!!!", price_cents=900).slug

    assert slugs == ["miel-de-lavande", "miel-de-lavande-2", "miel-de-lavande-3"]
    assert other == "produit"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price_cents": -1}, "price_cents"),
        ({"price_cents": 12.5}, "price_cents"),
        ({"price_cents": "1250"}, "price_cents"),
        ({"price_cents": True}, "price_cents"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"stock": -2}, "stock"),
        ({"vat_rate": 1960}, "vat_rate"),
        ({"variants": [VariantInput(price_cents=-5)]}, "variants"),
        ({"variants": [VariantInput(sku="A"), VariantInput(sku="a")]}, "variants"),
    ],
)
def test_product_create_refuses_bad_input_and_creates_nothing(town_a, merchant_a, changes, field):
    arguments = {"merchant": merchant_a, "title": "Bougie", "price_cents": 1500, "stock": 1}
    with inside(town_a):
        with pytest.raises(ProductInvalid) as refused:
            product_create(**(arguments | changes))

        assert list(refused.value.errors) == [field]
        assert not Product.objects.exists()
        assert not Variant.objects.exists()


def test_product_create_refuses_a_file_that_is_not_an_image(town_a, merchant_a, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")
    with inside(town_a):
        with pytest.raises(ProductInvalid) as refused:
            product_create(merchant=merchant_a, title="Vase", price_cents=100, photo=fake)

        assert list(refused.value.errors) == ["photo"]
        assert not Product.objects.exists()
    assert not any(media_root.rglob("*.jpg"))


def test_product_update_changes_what_is_given(town_a, merchant_a, admin_a):
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="Bougie", price_cents=1500, stock=4, tags="cire",
            description="Cire de soja.",
        )  # fmt: skip

        product_update(
            merchant=merchant_a, product_id=product.pk, title="Bougie parfumée",
            price_cents=1700, stock=9, actor=admin_a,
        )  # fmt: skip

        product.refresh_from_db()
        assert (product.title, product.description, product.tags, product.slug) == (
            "Bougie parfumée", "Cire de soja.", "cire", "bougie",
        )  # fmt: skip
        assert _variants(product) == [(f"P{product.pk}-1", "", "", "", 1700, 9)]
        assert list(
            StockMovement.objects.order_by("pk").values_list("delta", "balance_after", "reason")
        ) == [(4, 4, "manual"), (5, 9, "manual")]
        assert "'parfume':2A" in product.search_vector


def test_product_update_replaces_the_variants(town_a, merchant_a):
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="Pull", price_cents=5000,
            variants=[VariantInput(size="S", stock=1), VariantInput(size="M", stock=2)],
        )  # fmt: skip
        small, medium = product.variants.order_by("position")

        product_update(
            merchant=merchant_a, product_id=product.pk,
            variants=[
                VariantInput(id=medium.pk, size="M", sku=medium.sku, price_cents=5500, stock=5),
                VariantInput(size="L", price_cents=5500, stock=1),
            ],
        )  # fmt: skip

        assert _variants(product) == [
            (medium.sku, "M", "M", "", 5500, 5),
            (f"P{product.pk}-3", "L", "L", "", 5500, 1),
        ]
        assert not Variant.objects.filter(pk=small.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"price_cents": -100}, "variants"),
        ({"price_cents": 9.99}, "variants"),
        ({"variants": []}, "variants"),
    ],
)
def test_product_update_refuses_bad_input_and_changes_nothing(town_a, merchant_a, changes, field):
    with inside(town_a):
        product = product_create(merchant=merchant_a, title="Bol", price_cents=2400, stock=2)

        with pytest.raises(ProductInvalid) as refused:
            product_update(merchant=merchant_a, product_id=product.pk, **changes)

        assert field in refused.value.errors
        product.refresh_from_db()
        assert product.title == "Bol"
        assert _variants(product) == [(f"P{product.pk}-1", "", "", "", 2400, 2)]


def test_product_update_of_several_variants_needs_each_price(town_a, merchant_a):
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="Pull", price_cents=5000,
            variants=[VariantInput(size="S"), VariantInput(size="M")],
        )  # fmt: skip
        with pytest.raises(ProductInvalid):
            product_update(merchant=merchant_a, product_id=product.pk, price_cents=10)
        assert {v[4] for v in _variants(product)} == {5000}


def test_a_merchant_cannot_touch_another_merchants_products(town_a, merchant_a, media_root):
    other = merchant_create(town_a, name="Voisin")
    with inside(town_a):
        product = product_create(merchant=other, title="Vase", price_cents=3000, stock=2)
        variant = product.variants.get()

        with pytest.raises(ProductNotFound):
            product_update(merchant=merchant_a, product_id=product.pk, title="Volé")
        with pytest.raises(ProductNotFound):
            product_duplicate(merchant=merchant_a, product_id=product.pk)
        with pytest.raises(ProductNotFound):
            product_update(merchant=merchant_a, product_id=product.pk, photo=jpeg_upload())
        with pytest.raises(ProductInvalid):
            products_bulk_update(
                merchant=merchant_a, changes=[VariantChange(variant_id=variant.pk, stock=0)]
            )

        product.refresh_from_db()
        assert product.title == "Vase"
        assert _variants(product) == [(variant.sku, "", "", "", 3000, 2)]
        assert Product.objects.count() == 1
        assert not ProductPhoto.objects.exists()


def test_product_duplicate(town_a, merchant_a, media_root):
    with inside(town_a):
        source = product_create(
            merchant=merchant_a, title="Écharpe", price_cents=3900, tags="laine",
            variants=[VariantInput(colour="Rouge", stock=4), VariantInput(colour="Vert", stock=1)],
            photo=jpeg_upload(), photo_alt="Écharpe rouge",
        )  # fmt: skip

        copy = product_duplicate(merchant=merchant_a, product_id=source.pk)

        copy.refresh_from_db()
        assert copy.title == f"Écharpe {_('(copy)')}"
        assert copy.slug != source.slug and copy.slug.startswith("echarpe-")
        assert (copy.tags, copy.is_published, copy.merchant_id) == ("laine", False, merchant_a.pk)
        assert _variants(copy) == [
            (f"P{copy.pk}-1", "Rouge", "", "Rouge", 3900, 0),
            (f"P{copy.pk}-2", "Vert", "", "Vert", 3900, 0),
        ]
        assert list(copy.photos.values_list("image", "alt_text")) == list(
            source.photos.values_list("image", "alt_text")
        )
        assert copy.search_vector is not None
        assert _variants(source)[0][5] == 4


def test_products_bulk_update(town_a, merchant_a, admin_a):
    first = product_row_create(town_a, merchant_a, title="Thé vert", stocks=(5,), price_cents=800)
    second = product_row_create(town_a, merchant_a, title="Thé noir", stocks=(2,), price_cents=700)
    with inside(town_a):
        one, two = first.variants.get(), second.variants.get()

        changed = products_bulk_update(
            merchant=merchant_a,
            changes=[
                VariantChange(variant_id=two.pk, price_cents=750, stock=10),
                VariantChange(variant_id=one.pk, price_cents=800, stock=None),
            ],
            actor=admin_a,
        )

        assert changed == 1
        assert _variants(second) == [(two.sku, "", "", "", 750, 10)]
        assert _variants(first) == [(one.sku, "", "", "", 800, 5)]
        assert list(StockMovement.objects.values_list("variant_id", "delta", "reason")) == [
            (two.pk, 8, "manual")
        ]


@pytest.mark.parametrize(
    "change",
    [{"price_cents": -1}, {"price_cents": 1.5}, {"stock": -3}, {"stock": "4"}],
)
def test_products_bulk_update_is_all_or_nothing(town_a, merchant_a, change):
    first = product_row_create(town_a, merchant_a, title="Thé vert", stocks=(5,), price_cents=800)
    second = product_row_create(town_a, merchant_a, title="Thé noir", stocks=(2,), price_cents=700)
    with inside(town_a):
        one, two = first.variants.get(), second.variants.get()

        with pytest.raises(ProductInvalid):
            products_bulk_update(
                merchant=merchant_a,
                changes=[
                    VariantChange(variant_id=one.pk, price_cents=900, stock=1),
                    VariantChange(variant_id=two.pk, **change),
                ],
            )

        assert _variants(first) == [(one.sku, "", "", "", 800, 5)]
        assert _variants(second) == [(two.sku, "", "", "", 700, 2)]
        assert not StockMovement.objects.exists()
