import pytest
from django.utils.translation import gettext as _

from marketplace.catalogue.errors import ProductInvalid
from marketplace.catalogue.forms import BulkEditFormSet, ProductForm, VariantFormSet
from marketplace.catalogue.services.products import (
    VariantChange,
    VariantInput,
    product_create,
    products_bulk_update,
)
from tests.conftest import inside
from tests.marketplace.catalogue.conftest import jpeg_upload


def test_a_product_is_never_free_nor_over_a_million_euros(town_a):
    with inside(town_a):
        for price, code in (("0", "min_value"), ("0,00", "min_value"), ("1000000,01", "max_value")):
            form = ProductForm({"title": "Savon", "price": price, "stock": "1", "vat_rate": "2000"})
            assert not form.is_valid()
            assert form.errors.as_data()["price"][0].code == code


def test_the_service_refuses_a_free_product_too(town_a, merchant_a):
    with inside(town_a), pytest.raises(ProductInvalid) as refused:
        product_create(merchant=merchant_a, title="Savon", price_cents=0)

    assert refused.value.errors["price_cents"] == [_("A product is not free: give its price.")]


def test_the_service_refuses_an_over_long_description(town_a, merchant_a):
    with inside(town_a), pytest.raises(ProductInvalid) as refused:
        product_create(merchant=merchant_a, title="Savon", price_cents=100, description="a" * 5001)

    assert list(refused.value.errors) == ["description"]


def test_product_form_to_product_create(town_a, merchant_a, media_root):
    with inside(town_a):
        form = ProductForm(
            {"title": "Savon", "price": "6,50", "stock": "3", "vat_rate": "2000",
             "is_published": "on", "photo_alt": "Un savon"},
            {"photo": jpeg_upload()},
        )  # fmt: skip
        variants = VariantFormSet(
            {"variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "0"}, prefix="variants"
        )
        assert form.is_valid(), form.errors
        assert variants.is_valid(), variants.errors

        product = product_create(
            merchant=merchant_a,
            variants=variants.variant_inputs(),
            **form.service_kwargs(),
            **form.photo_kwargs(),
        )

        assert variants.variant_inputs() == []
        assert list(product.variants.values_list("price_cents", "stock")) == [(650, 3)]
        assert product.photos.get().alt_text == "Un savon"


def test_variant_formset_gives_the_variants_kept(town_a):
    with inside(town_a):
        formset = VariantFormSet(
            {
                "variants-TOTAL_FORMS": "3", "variants-INITIAL_FORMS": "0",
                "variants-0-size": "S", "variants-0-price": "10", "variants-0-stock": "2",
                "variants-1-size": "M", "variants-1-stock": "1", "variants-1-DELETE": "on",
                "variants-2-stock": "0",
            },
            prefix="variants",
        )  # fmt: skip
        assert formset.is_valid(), formset.errors

        assert formset.variant_inputs() == [
            VariantInput(size="S", price_cents=1000, stock=2, id=None)
        ]


def test_product_form_shows_service_errors_on_its_fields(town_a, merchant_a):
    with inside(town_a):
        form = ProductForm({"title": "x", "price": "1", "stock": "0", "vat_rate": "2000"})
        assert form.is_valid()

        with pytest.raises(ProductInvalid) as refused:
            product_create(merchant=merchant_a, **(form.service_kwargs() | {"price_cents": -1}))
        form.add_service_errors(refused.value.errors | {"variants": ["Variante 1 : non."]})

        assert form.errors["price"] == [_("The price cannot be negative.")]
        assert form.non_field_errors() == ["Variante 1 : non."]


def test_product_form_without_price_for_several_variants(town_a):
    with inside(town_a):
        form = ProductForm({"title": "Pull", "vat_rate": "550"}, single_variant=False)
        assert form.is_valid(), form.errors
        assert "price_cents" not in form.service_kwargs()
        assert form.service_kwargs()["vat_rate"] == 550


def test_bulk_edit_formset_gives_the_changed_lines(town_a, merchant_a):
    with inside(town_a):
        product = product_create(
            merchant=merchant_a, title="Thé", price_cents=800,
            variants=[VariantInput(stock=5), VariantInput(stock=1)],
        )  # fmt: skip
        first, second = product.variants.order_by("position")
        initial = BulkEditFormSet.initial_for([first, second])
        data = {
            "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2",
            "form-0-variant_id": str(first.pk), "form-0-price": "8,00", "form-0-stock": "5",
            "form-1-variant_id": str(second.pk), "form-1-price": "9,50", "form-1-stock": "7",
        }  # fmt: skip
        formset = BulkEditFormSet(data, initial=initial)
        assert formset.is_valid(), formset.errors

        changes = formset.changes()
        assert changes == [VariantChange(variant_id=second.pk, price_cents=950, stock=7)]
        assert products_bulk_update(merchant=merchant_a, changes=changes) == 1
        second.refresh_from_db()
        assert (second.price_cents, second.stock) == (950, 7)
