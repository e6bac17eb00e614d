"""Forms of the merchant's product screens (the back office's /boutique/ pages use them).

A view validates the form (and the variant formset), calls the service with
`form.service_kwargs()` and `formset.variant_inputs()`, and hands a ProductInvalid back to the
form with `form.add_service_errors(error.errors)`:

    form = ProductForm(request.POST, request.FILES)
    variants = VariantFormSet(request.POST, prefix="variants")
    if form.is_valid() and variants.is_valid():
        try:
            product = product_create(merchant=request.merchant, actor=request.user,
                                     variants=variants.variant_inputs(), **form.service_kwargs())
        except ProductInvalid as error:
            form.add_service_errors(error.errors)
"""

import re
from typing import TypedDict, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _

from comptoir.templatetags.money import euros_format
from marketplace.catalogue.models import Product, Variant
from marketplace.catalogue.services.products import (
    MAX_PRICE_CENTS,
    MAX_STOCK,
    VariantChange,
    VariantInput,
)
from marketplace.directory.models import Category

_EUROS = re.compile(r"^(?P<whole>\d{1,7})(?:[.,](?P<cents>\d{1,2}))?$")


def euros_to_cents(text: str) -> int:
    """ "12,50", "12.5", "1 234,50 €", "12" → cents; anything else is a ValidationError."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    match = _EUROS.match(cleaned)
    if not match:
        raise ValidationError(_("Enter a price in euros, like 12,50."), code="price")
    cents = int(match["whole"]) * 100 + int((match["cents"] or "0").ljust(2, "0"))
    if cents > MAX_PRICE_CENTS:
        raise ValidationError(_("The price is too high: check it."), code="price_max")
    return cents


def cents_to_euros(cents: int | None) -> str:
    """Cents as typed back in a form: "12,50" (no thousands separator, no sign)."""
    return "" if cents is None else euros_format(cents).replace("\u202f", "").split("\u00a0")[0]


class PriceField(forms.Field):
    """Euros as people type them ("12,50"), cleaned to integer cents."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 16})

    def to_python(self, value: object) -> int | None:
        text = str(value or "").strip()
        return euros_to_cents(text) if text else None

    def has_changed(self, initial: object, data: object) -> bool:
        try:
            before = euros_to_cents(str(initial)) if initial not in (None, "") else None
            return before != self.to_python(data)
        except ValidationError:
            return True


def _stock_field(**kwargs: object) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Stock"),
        min_value=0,
        max_value=MAX_STOCK,
        **kwargs,  # type: ignore[arg-type]
    )


class PhotoKwargs(TypedDict, total=False):
    photo: File
    photo_alt: str


class ProductKwargs(TypedDict, total=False):
    """What ProductForm gives product_create and product_update (the price and stock only
    with a single variant)."""

    title: str
    description: str
    category: Category | None
    tags: str
    vat_rate: int
    sold_in_shop_only: bool
    is_published: bool
    price_cents: int
    stock: int


class ProductUpdateKwargs(ProductKwargs, total=False):
    variants: list[VariantInput]


class ProductForm(forms.Form):
    """The one-screen product form, photo first. With `single_variant=False` (a product with
    several variants) the price and stock are set per variant in the VariantFormSet."""

    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        help_text=_("A clear photo of the product: JPEG, PNG or WebP, 10 MB at most."),
    )
    photo_alt = forms.CharField(
        label=_("What the photo shows"),
        required=False,
        max_length=200,
        help_text=_("Read aloud to people who cannot see it, e.g. “red wool scarf, folded”."),
    )
    title = forms.CharField(label=_("Title"), max_length=150)
    price = PriceField(label=_("Price incl. VAT (€)"))
    stock = _stock_field(initial=0)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=255,
        help_text=_("Words shoppers may search for, separated by commas."),
    )
    vat_rate = forms.TypedChoiceField(
        label=_("VAT rate"),
        choices=Product.VatRate.choices,
        coerce=int,
        initial=Product.VatRate.STANDARD,
    )
    sold_in_shop_only = forms.BooleanField(label=_("Sold in shop only"), required=False)
    is_published = forms.BooleanField(
        label=_("Show it in the shop window"), required=False, initial=True
    )

    # Service error keys that are not this form's field names.
    _SERVICE_FIELDS = {"price_cents": "price"}

    def __init__(self, *args: object, single_variant: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = Category.objects.select_related("parent").order_by("position", "name")
        if not single_variant:
            del self.fields["price"]
            del self.fields["stock"]

    @classmethod
    def initial_for(cls, product: Product) -> dict[str, object]:
        """The form's initial values for editing this product."""
        variants = list(product.variants.all())
        initial: dict[str, object] = {
            "title": product.title,
            "description": product.description,
            "category": product.category_id,
            "tags": product.tags,
            "vat_rate": product.vat_rate,
            "sold_in_shop_only": product.sold_in_shop_only,
            "is_published": product.is_published,
        }
        if len(variants) == 1:
            initial["price"] = cents_to_euros(variants[0].price_cents)
            initial["stock"] = variants[0].stock
        return initial

    def service_kwargs(self) -> ProductKwargs:
        """The cleaned data as product_create / product_update take it."""
        data = self.cleaned_data
        kwargs: ProductKwargs = {
            "title": data["title"],
            "description": data["description"],
            "category": data["category"],
            "tags": data["tags"],
            "vat_rate": data["vat_rate"],
            "sold_in_shop_only": data["sold_in_shop_only"],
            "is_published": data["is_published"],
        }
        if "price" in self.fields:
            kwargs["price_cents"] = data["price"]
            kwargs["stock"] = data["stock"]
        return kwargs

    def photo_kwargs(self) -> "PhotoKwargs":
        """For product_create and product_update (photo=, photo_alt=); empty when no photo was
        sent."""
        photo = self.cleaned_data.get("photo")
        return {"photo": photo, "photo_alt": self.cleaned_data["photo_alt"]} if photo else {}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            name = self._SERVICE_FIELDS.get(key, key)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class VariantForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Variant"), max_length=100, required=False)
    size = forms.CharField(label=_("Size"), max_length=40, required=False)
    colour = forms.CharField(label=_("Colour"), max_length=40, required=False)
    sku = forms.CharField(
        label=_("SKU"), max_length=64, required=False, help_text=_("Left empty, one is made.")
    )
    price = PriceField(
        label=_("Price incl. VAT (€)"),
        required=False,
        help_text=_("Left empty: the product's price."),
    )
    stock = _stock_field(initial=0, required=False)

    @classmethod
    def initial_for(cls, variant: Variant) -> dict[str, object]:
        return {
            "id": variant.pk,
            "name": variant.name,
            "size": variant.size,
            "colour": variant.colour,
            "sku": variant.sku,
            "price": cents_to_euros(variant.price_cents),
            "stock": variant.stock,
        }


class BaseVariantFormSet(forms.BaseFormSet):
    def variant_inputs(self) -> list[VariantInput]:
        """The variants kept (not deleted, not left blank), in their order."""
        inputs = []
        for form in self.forms:
            data = form.cleaned_data
            if data.get("DELETE"):
                continue
            if not any(data.get(name) for name in form.fields if name != "DELETE"):
                continue  # an extra line left blank
            inputs.append(
                VariantInput(
                    id=data.get("id"),
                    name=data.get("name", ""),
                    size=data.get("size", ""),
                    colour=data.get("colour", ""),
                    sku=data.get("sku", ""),
                    price_cents=data.get("price"),
                    stock=data.get("stock") or 0,
                )
            )
        return inputs


# formset_factory makes a subclass of `formset`; its stubs type it as the base class.
VariantFormSet = cast(
    type[BaseVariantFormSet],
    forms.formset_factory(
        VariantForm,
        formset=BaseVariantFormSet,
        extra=1,
        can_delete=True,
        max_num=50,
        validate_max=True,
    ),
)


class BulkVariantForm(forms.Form):
    """One line of the bulk edit: a variant, its new price and/or its new stock."""

    variant_id = forms.IntegerField(widget=forms.HiddenInput)
    price = PriceField(label=_("Price incl. VAT (€)"), required=False)
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_STOCK, required=False)


class BaseBulkEditFormSet(forms.BaseFormSet):
    def changes(self) -> list[VariantChange]:
        """The lines whose price or stock was changed, for products_bulk_update."""
        return [
            VariantChange(
                variant_id=form.cleaned_data["variant_id"],
                price_cents=form.cleaned_data.get("price")
                if "price" in form.changed_data
                else None,
                stock=form.cleaned_data.get("stock") if "stock" in form.changed_data else None,
            )
            for form in self.forms
            if form.has_changed()
        ]

    @staticmethod
    def initial_for(variants: list[Variant]) -> list[dict[str, object]]:
        return [
            {
                "variant_id": variant.pk,
                "price": cents_to_euros(variant.price_cents),
                "stock": variant.stock,
            }
            for variant in variants
        ]


BulkEditFormSet = cast(
    type[BaseBulkEditFormSet],
    forms.formset_factory(
        BulkVariantForm, formset=BaseBulkEditFormSet, extra=0, max_num=500, validate_max=True
    ),
)
