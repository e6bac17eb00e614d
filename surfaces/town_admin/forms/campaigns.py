"""The campaign form; the services do the checking that matters and the saving."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.forms import LongTextField
from marketplace.campaigns.models import (
    IMAGE_ALT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Campaign,
)
from marketplace.campaigns.services import MAX_FEATURED
from marketplace.catalogue.models import Product
from marketplace.catalogue.selectors import products_visible
from marketplace.directory.models import Merchant
from marketplace.directory.selectors import merchants_visible

# "https://aix.example/produits/miel-de-lavande/" or "/produits/miel-de-lavande/" → the slug.
_PRODUCT_PATH = re.compile(r"/produits/(?P<slug>[-a-zA-Z0-9_]+)/?")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# More lines than this is not a list of products but a paste gone wrong.
_MAX_PRODUCT_LINES = 100
# A hundred page addresses of a long host and slug; more is not a list of products either.
_MAX_PRODUCTS_TEXT = _MAX_PRODUCT_LINES * 200


class MerchantChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Merchant) -> str:
        return f"{obj.name} ({obj.category.name})"


def product_lines(products: list[Product]) -> str:
    """The products' page paths, one per line, as the form shows them back."""
    return "\n".join(product.get_absolute_url() for product in products)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    text = LongTextField(
        label=_("Text"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What the campaign is about; shown on its page and, shortened, on the home page."
        ),
    )
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    image = forms.ImageField(
        label=_("Image"), required=False, help_text=_("JPEG, PNG or WebP, 10 MB at most.")
    )
    remove_image = forms.BooleanField(label=_("Remove the current image"), required=False)
    image_alt = forms.CharField(
        label=_("Description of the image"),
        max_length=IMAGE_ALT_MAX_LENGTH,
        required=False,
        help_text=_("What the image shows, for people who cannot see it; empty if decorative."),
    )
    merchants = MerchantChoiceField(
        label=_("Featured merchants"),
        queryset=Merchant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    products = forms.CharField(
        label=_("Featured products"),
        required=False,
        max_length=_MAX_PRODUCTS_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One product per line: the address of its page on the portal (…/produits/…/). "
            "At most %(max)d."
        )
        % {"max": MAX_FEATURED},
    )

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["merchants"].queryset = (  # type: ignore[attr-defined]
            merchants_visible().select_related("category").order_by("name", "pk")
        )
        if campaign is None or not campaign.image:
            del self.fields["remove_image"]

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict[str, object]:
        return {
            "title": campaign.title,
            "text": campaign.text,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "image_alt": campaign.image_alt,
            "merchants": [merchant.pk for merchant in campaign.featured_merchants.all()],
            "products": product_lines(list(campaign.featured_products.all())),
        }

    def clean_products(self) -> list[int]:
        """Product ids from the pasted addresses; names every line that is not a product."""
        lines = [line.strip() for line in self.cleaned_data["products"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > _MAX_PRODUCT_LINES:
            raise forms.ValidationError(
                gettext("Feature at most %(max)d products.") % {"max": MAX_FEATURED}
            )
        slugs: dict[str, str] = {}
        unreadable = []
        for line in lines:
            match = _PRODUCT_PATH.search(line)
            slug = match["slug"] if match else (line if _SLUG.match(line) else "")
            if slug:
                slugs.setdefault(slug, line)
            else:
                unreadable.append(line)
        found = dict(products_visible().filter(slug__in=list(slugs)).values_list("slug", "pk"))
        unknown = unreadable + [line for slug, line in slugs.items() if slug not in found]
        if unknown:
            raise forms.ValidationError(
                gettext("These lines are not products on the portal: %(lines)s")
                % {"lines": ", ".join(unknown)}
            )
        return [found[slug] for slug in slugs]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data and data.get("image") and data.get("remove_image"):
            self.add_error("remove_image", gettext("Either send a new image or remove it."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned data as campaign_create / campaign_update take it."""
        data = self.cleaned_data
        arguments: dict[str, Any] = {
            "title": data["title"],
            "text": data["text"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "image_alt": data["image_alt"],
            "merchant_ids": [merchant.pk for merchant in data["merchants"]],
            "product_ids": data["products"],
        }
        if data.get("image"):
            arguments["image"] = data["image"]
        elif data.get("remove_image"):
            arguments["image"] = None
        return arguments
