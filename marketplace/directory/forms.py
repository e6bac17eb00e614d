"""Forms for the directory's pages and for the back office (which renders the profile form and
the week-hours formset; the services do the checking and the saving)."""

from collections.abc import Iterator
from datetime import time
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import User
from comptoir.forms import EurosField, LongTextField, PhoneField
from marketplace.directory.errors import DirectoryError, InvalidMerchantData
from marketplace.directory.models import Category, Merchant, MerchantPhoto, OpeningHours
from marketplace.directory.selectors import DirectoryFilters, categories_for_filters
from marketplace.directory.services.merchants import (
    DELIVERY_FEE_MAX_CENTS,
    DESCRIPTION_MAX_LENGTH,
    PROFILE_FIELDS,
)
from marketplace.directory.services.opening_hours import MAX_RANGES_PER_DAY

SEARCH_MAX_LENGTH = 100


def form_add_service_error(form: forms.BaseForm, error: DirectoryError) -> None:
    """Show a service's refusal on the form: on the fields it names when the form has them,
    above the form otherwise."""
    if isinstance(error, InvalidMerchantData):
        for field, messages in error.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
        return
    target = error.field if error.field in form.fields else None
    for message in error.messages:
        form.add_error(target, message)


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories as a tree: children indented under their parent."""

    def label_from_instance(self, obj: Category) -> str:
        return f"— {obj.name}" if obj.parent_id else obj.name


def _category_field(**kwargs: Any) -> CategoryChoiceField:
    return CategoryChoiceField(
        queryset=Category.objects.order_by("position", "name"), label=_("Category"), **kwargs
    )


class _CategoryTreeMixin:
    """Lists the category choices parents first, each followed by its children."""

    def _order_categories(self, field_name: str = "category") -> None:
        field = self.fields[field_name]  # type: ignore[attr-defined]
        field.choices = [("", "---------")] + [
            (category.pk, field.label_from_instance(category))
            for category in categories_for_filters()
        ]


class MerchantRegisterForm(_CategoryTreeMixin, forms.Form):
    """Applying to the portal. A signed-in person applies with their account (no password)."""

    trade_name = forms.CharField(label=_("Trade name"), max_length=120)
    category = _category_field()
    address = forms.CharField(label=_("Address"), max_length=255)
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100)
    phone = PhoneField(label=_("Phone"), required=False)
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=17,
        required=False,
        help_text=_("14 digits; associations without one may leave it empty."),
    )
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("You will sign in with it; the town writes to you there.")
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "The password of the account this application creates. Already have an account "
            "here? Sign in first."
        ),
    )

    def __init__(self, *args: Any, user: User | AnonymousUser | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._order_categories()
        if user is not None and user.is_authenticated:
            del self.fields["password"]
            del self.fields["full_name"]
            self.fields["email"].initial = user.email
            self.fields["email"].help_text = _("Where the town writes to you about this shop.")


def _delivery_fee_field(label: Any) -> EurosField:
    return EurosField(
        label=label,
        max_cents=DELIVERY_FEE_MAX_CENTS,
        help_text=_("In euros, e.g. 3,50; 0 means free delivery."),
    )


def _profile_formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class MerchantProfileForm(_CategoryTreeMixin, forms.ModelForm):
    """The whole public profile, for the back office. Save through `profile_changes()`:
    `merchant_profile_update(merchant_id=…, actor=…, **form.profile_changes())`."""

    class Meta:
        model = Merchant
        fields = list(PROFILE_FIELDS)
        field_classes = {"category": CategoryChoiceField}
        formfield_callback = _profile_formfield
        help_texts = {
            "latitude": _("Decimal degrees, e.g. 45.688374. Your pin on the map."),
            "longitude": _("Decimal degrees, e.g. 5.915300."),
            "sells_online": _("Off: your page shows your shop, hours and contact only."),
        }

    description = LongTextField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_("Your shop in a few words: what you sell or do, what makes it yours."),
    )
    phone = PhoneField(label=_("Phone"), required=False)
    local_delivery_fee_cents = _delivery_fee_field(_("Local delivery fee (€)"))
    postal_delivery_fee_cents = _delivery_fee_field(_("Postal delivery fee (€)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._order_categories()

    def profile_changes(self) -> dict[str, Any]:
        """The fields the person changed, as the profile service takes them."""
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        if changes.get("logo") is False:
            changes["logo"] = ""
        return changes


class MerchantPhotoForm(forms.ModelForm):
    class Meta:
        model = MerchantPhoto
        fields = ["image", "alt_text"]


class OpeningRangeForm(forms.Form):
    """One range of one weekday; both times empty means no range on that row."""

    weekday = forms.TypedChoiceField(
        choices=OpeningHours.Weekday.choices, coerce=int, widget=forms.HiddenInput
    )
    opens_at = forms.TimeField(
        label=_("Opens at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label=_("Closes at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("00:00 means midnight."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("opens_at") is None) != (data.get("closes_at") is None):
            raise forms.ValidationError(_("Give both times of the range, or leave both empty."))
        return data


class BaseWeekHoursFormSet(forms.BaseFormSet):
    """A week of ranges: a few rows per weekday. Save with
    `opening_hours_set(merchant_id=…, actor=…, ranges=formset.ranges())`."""

    def ranges(self) -> list[tuple[int, time, time]]:
        return [
            (
                form.cleaned_data["weekday"],
                form.cleaned_data["opens_at"],
                form.cleaned_data["closes_at"],
            )
            for form in self.forms
            if form.cleaned_data.get("opens_at") is not None
        ]

    def days(self) -> Iterator[tuple[str, list[forms.Form]]]:
        """(weekday name, its rows) in week order, for rendering a day per line."""
        labels = dict(OpeningHours.Weekday.choices)
        rows: dict[int, list[forms.Form]] = {}
        for form in self.forms:
            value = form["weekday"].value()
            try:
                weekday = int(value)
            except (TypeError, ValueError):
                continue
            rows.setdefault(weekday, []).append(form)
        for weekday in sorted(rows):
            yield str(labels.get(weekday, weekday)), rows[weekday]


WeekHoursFormSet = forms.formset_factory(
    OpeningRangeForm,
    formset=BaseWeekHoursFormSet,
    extra=0,
    max_num=7 * MAX_RANGES_PER_DAY,
    validate_max=True,
)


def week_hours_formset(
    *,
    merchant: Merchant | None = None,
    data: Any = None,
    prefix: str = "hours",
    rows_per_day: int = 3,
) -> BaseWeekHoursFormSet:
    """The week-hours formset, filled with the merchant's ranges and at least one free row a day
    (`rows_per_day` rows in all when it has fewer ranges)."""
    by_day: dict[int, list[OpeningHours]] = {}
    if merchant is not None and merchant.pk:
        for hours in merchant.opening_hours.all():
            by_day.setdefault(hours.weekday, []).append(hours)
    initial: list[dict[str, Any]] = []
    for weekday in OpeningHours.Weekday.values:
        ranges = sorted(by_day.get(weekday, []), key=lambda hours: hours.opens_at)
        rows: list[dict[str, Any]] = [
            {"weekday": weekday, "opens_at": hours.opens_at, "closes_at": hours.closes_at}
            for hours in ranges
        ]
        wanted = min(max(rows_per_day, len(rows) + 1), MAX_RANGES_PER_DAY)
        rows.extend({"weekday": weekday} for _row in range(wanted - len(rows)))
        initial.extend(rows)
    return cast(BaseWeekHoursFormSet, WeekHoursFormSet(data=data, initial=initial, prefix=prefix))


class SpecialHoursForm(forms.Form):
    """An exceptional day or period: closed, or open at other hours.
    Save with `special_hours_add(merchant_id=…, actor=…, **form.cleaned_data)`."""

    date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("Until (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for one day."),
    )
    is_closed = forms.BooleanField(label=_("Closed all day"), required=False, initial=True)
    opens_at = forms.TimeField(
        label=_("Opens at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label=_("Closes at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("00:00 means midnight."),
    )
    reason = forms.CharField(
        label=_("Reason shown to shoppers"),
        max_length=120,
        required=False,
        help_text=_("For example: holidays, inventory, bank holiday."),
    )


class DirectoryFilterForm(forms.Form):
    """The directory's filters, read from the query string (every one optional)."""

    q = forms.CharField(label=_("Name"), max_length=SEARCH_MAX_LENGTH, required=False)
    categorie = forms.SlugField(label=_("Category"), required=False)
    type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("All")), *Category.Kind.choices],
        required=False,
    )
    ouvert = forms.BooleanField(label=_("Open now"), required=False)
    retrait = forms.BooleanField(label=_("Click & collect"), required=False)
    livraison = forms.BooleanField(label=_("Delivery"), required=False)
    rdv = forms.BooleanField(label=_("Appointments"), required=False)
    en_ligne = forms.BooleanField(label=_("Sells online"), required=False)

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = categories
        self.fields["categorie"].widget = forms.Select(
            choices=[("", _("All categories"))]
            + [
                (category.slug, f"— {category.name}" if category.parent_id else category.name)
                for category in categories
            ]
        )

    def filters(self) -> DirectoryFilters:
        """The filters to apply; an unknown category or invalid value filters nothing."""
        data = self.cleaned_data if self.is_valid() else {}
        slug = data.get("categorie") or ""
        category = next((c for c in self.categories if c.slug == slug), None)
        return DirectoryFilters(
            category=category,
            kind=data.get("type") or "",
            open_now=bool(data.get("ouvert")),
            click_collect=bool(data.get("retrait")),
            delivery=bool(data.get("livraison")),
            appointments=bool(data.get("rdv")),
            sells_online=bool(data.get("en_ligne")),
            text=data.get("q") or "",
        )
