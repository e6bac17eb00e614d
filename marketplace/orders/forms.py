"""Forms of the cart and the checkout: they parse input; the services decide."""

import secrets
from collections.abc import Sequence
from datetime import datetime
from itertools import groupby
from typing import Any, cast

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from comptoir.forms import LongTextField, PhoneField
from comptoir.money import euros_format
from marketplace.orders.fulfilment import DELIVERIES, delivery_fee_cents
from marketplace.orders.models import Order
from marketplace.orders.payments import PayInShopProvider, payment_provider_get
from marketplace.orders.selectors import ShopCheckout
from marketplace.orders.services.cart import MAX_LINE_QUANTITY
from marketplace.orders.services.checkout import NOTE_MAX_LENGTH, Contact, FulfilmentChoice

Fulfilment = Order.Fulfilment


class CartLineForm(forms.Form):
    """Adding to the cart, or changing a line's quantity (0 on update removes the line)."""

    variant_id = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(min_value=0, max_value=MAX_LINE_QUANTITY, required=False)

    def quantity_or(self, default: int) -> int:
        quantity = self.cleaned_data.get("quantity")
        return default if quantity is None else quantity


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(32)


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("Your confirmation and the tracking links are sent there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneField(
        label=_("Mobile phone"),
        required=False,
        help_text=_("Optional: the shops can call you, and you get a text when it is ready."),
    )
    # Made when the form is shown; the same key twice means the same checkout submitted twice.
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def contact(self) -> Contact:
        data = self.cleaned_data
        return Contact(name=data["name"], email=data["email"], phone=data["phone"])


def slot_value(moment: datetime) -> str:
    return moment.isoformat()


def slot_choices(slots: Sequence[datetime]) -> list[tuple[str, Any]]:
    """Slots grouped by day for a <select> with <optgroup>s ("mardi 25 novembre": 10:00, …)."""
    choices: list[tuple[str, Any]] = [("", _("Choose a time"))]
    # The slots are on the town's clock already: their own date is the shop's day.
    for day, moments in groupby(slots, key=lambda moment: moment.date()):
        choices.append(
            (
                formats.date_format(day, "l j F"),
                [(slot_value(moment), formats.time_format(moment, "H:i")) for moment in moments],
            )
        )
    return choices


class ShopFulfilmentForm(forms.Form):
    """How the shopper receives one shop's part of the cart (prefix: one form per shop)."""

    fulfilment = forms.ChoiceField(
        label=_("How do you want to receive it?"), widget=forms.RadioSelect
    )
    pickup_at = forms.ChoiceField(
        label=_("Pickup time (click & collect)"),
        required=False,
        error_messages={
            "invalid_choice": _("This pickup time is no longer available: choose another one.")
        },
    )
    address = forms.CharField(
        label=_("Delivery address"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    payment_method = forms.ChoiceField(label=_("How do you pay?"), widget=forms.RadioSelect)
    note = LongTextField(
        label=_("A note for the shop"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, shop: ShopCheckout, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.merchant = shop.merchant
        self.slots = {slot_value(slot): slot for slot in shop.pickup_slots}
        offered = shop.fulfilments
        cast(forms.ChoiceField, self.fields["fulfilment"]).choices = [
            (fulfilment, self._fulfilment_label(fulfilment)) for fulfilment in offered
        ]
        if len(offered) == 1:
            self.fields["fulfilment"].initial = offered[0]
        self.offers_pickup = Fulfilment.CLICK_COLLECT in offered
        self.offers_delivery = any(fulfilment in DELIVERIES for fulfilment in offered)
        if self.offers_pickup:
            cast(forms.ChoiceField, self.fields["pickup_at"]).choices = slot_choices(
                shop.pickup_slots
            )
        else:
            del self.fields["pickup_at"]
        if not self.offers_delivery:
            for name in ("address", "postcode", "city"):
                del self.fields[name]
        # A choice only when there is one to make: else the shop is paid in shop.
        self.offers_payment_choice = len(shop.payment_methods) > 1
        if self.offers_payment_choice:
            cast(forms.ChoiceField, self.fields["payment_method"]).choices = [
                (code, payment_provider_get(code).label) for code in shop.payment_methods
            ]
            # The first way is chosen already: the shopper changes it only if they wish.
            self.fields["payment_method"].initial = shop.payment_methods[0]
        else:
            del self.fields["payment_method"]

    def _fulfilment_label(self, fulfilment: str) -> str:
        label = str(Fulfilment(fulfilment).label)
        fee = delivery_fee_cents(self.merchant, fulfilment)
        if fulfilment in DELIVERIES:
            fee_label = euros_format(fee) if fee else _("free")
            return f"{label} ({fee_label})"
        return label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fulfilment = data.get("fulfilment")
        if fulfilment == Fulfilment.CLICK_COLLECT and not data.get("pickup_at"):
            self.add_error("pickup_at", _("Choose a pickup time."))
        if fulfilment in DELIVERIES:
            for name in ("address", "postcode", "city"):
                if not data.get(name, "").strip():
                    self.add_error(name, _("Needed for a delivery."))
        return data

    def choice(self) -> FulfilmentChoice:
        data = self.cleaned_data
        return FulfilmentChoice(
            fulfilment=data["fulfilment"],
            pickup_at=self.slots.get(data.get("pickup_at") or ""),
            address=data.get("address", ""),
            postcode=data.get("postcode", ""),
            city=data.get("city", ""),
            note=data.get("note", ""),
            payment_method=data.get("payment_method") or PayInShopProvider.code,
        )


class TrackingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you cancel? (optional)"),
        max_length=255,
        required=False,
    )
