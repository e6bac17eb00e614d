"""Form fields every app's forms share: money in euros, phone numbers, bounded free text.

price = EurosField(label=_("Price incl. VAT (€)"), min_cents=1)
fee = EurosField(label=_("Delivery fee (€)"), max_cents=100_000, required=False)
phone = PhoneField(label=_("Phone"), required=False)
description = LongTextField(label=_("Description"), max_length=5000, required=False)
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from comptoir.money import MAX_AMOUNT_CENTS, cents_as_typed, euros_format, euros_parse
from comptoir.phones import PHONE_MAX_LENGTH, phone_display, phone_normalise


def _is_cents(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class EurosInput(forms.TextInput):
    """A text box for euros: a decimal keyboard on phones, and cents shown as "3,50"."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"inputmode": "decimal", "autocomplete": "off", "maxlength": 16} | (attrs or {})
        )

    def format_value(self, value: Any) -> str | None:
        return cents_as_typed(value) if _is_cents(value) else super().format_value(value)


class EurosField(forms.Field):
    """Euros as people type them ("3,50", "3.50", "3"), cleaned to integer cents (or None when
    left empty). Refuses a negative amount, more than two decimals, less than `min_cents` and
    more than `max_cents`. Its initial value is cents (an int)."""

    widget = EurosInput
    default_error_messages = {
        "min_value": _("The amount is at least %(min)s."),
    }

    def __init__(
        self, *, min_cents: int = 0, max_cents: int = MAX_AMOUNT_CENTS, **kwargs: Any
    ) -> None:
        self.min_cents, self.max_cents = min_cents, max_cents
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if _is_cents(value):
            return value
        text = str(value or "").strip()
        return euros_parse(text, max_cents=self.max_cents) if text else None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and value < self.min_cents:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"min": euros_format(self.min_cents)},
            )

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True


class PhoneInput(forms.TextInput):
    input_type = "tel"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "tel", "inputmode": "tel"} | (attrs or {}))


class PhoneField(forms.CharField):
    """A French or international phone number, cleaned to E.164 ("+33479000000"); shown back as
    people read it ("04 79 00 00 00")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        kwargs.setdefault("widget", PhoneInput)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return phone_display(value) if isinstance(value, str) and value.startswith("+") else value

    def clean(self, value: Any) -> str:
        return phone_normalise(super().clean(value))

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return phone_normalise(initial or "") != phone_normalise(data or "")
        except ValidationError:
            return True


def _text_limit_help(max_length: int, help_text: Any = "") -> str:
    limit = gettext("%(count)s characters at most.") % {
        "count": number_format(max_length, force_grouping=True)
    }
    return f"{help_text} {limit}" if help_text else limit


# The help text of a bounded free text, in the language of the page showing it: what it is
# for ("" or a lazy text), then its limit ("5 000 caractères au plus.").
text_limit_help = lazy(_text_limit_help, str)


class LongTextField(forms.CharField):
    """A free text of several lines, bounded: the limit is said in the help text and the error,
    and the browser keeps the text within it."""

    def __init__(self, *, max_length: int, help_text: Any = "", **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea)
        kwargs.setdefault("error_messages", {}).setdefault(
            "max_length",
            ngettext_lazy(
                "Keep it to %(limit_value)d character at most (it has %(show_value)d).",
                "Keep it to %(limit_value)d characters at most (it has %(show_value)d).",
                "limit_value",
            ),
        )
        super().__init__(
            max_length=max_length, help_text=text_limit_help(max_length, help_text), **kwargs
        )
