"""Money: integer cents everywhere, shown and typed in euros the French way ("1 234,50 €").

`euros_format` writes an amount for reading; `cents_as_typed` writes it back into a form ("3,50");
`euros_parse` reads what a person typed ("3,50", "3.50", "3", "1 234,50 €") as cents.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

THOUSANDS_SEPARATOR = "\u202f"
CURRENCY_SEPARATOR = "\u00a0"
# A million euros: more is a typing slip (and the columns are 32-bit integers).
MAX_AMOUNT_CENTS = 100_000_000

_SPACES_AND_SIGN = re.compile(r"[\s\u00a0\u202f€]")
_AMOUNT = re.compile(r"^(?P<sign>[-−]?)(?P<whole>\d+)(?:[.,](?P<decimals>\d+))?$")


def euros_format(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, remainder = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", THOUSANDS_SEPARATOR)
    return f"{sign}{grouped},{remainder:02d}{CURRENCY_SEPARATOR}€"


def cents_as_typed(cents: int) -> str:
    """Cents as a person types them back in a form: "3,50", "1234,56" (no separator, no sign)."""
    whole, remainder = divmod(cents, 100)
    return f"{whole},{remainder:02d}"


def euros_parse(text: str, *, max_cents: int = MAX_AMOUNT_CENTS) -> int:
    """ "3,50", "3.5", "3", " 1 234,50 €" → cents. Anything else, a negative amount, more than
    two decimals or more than `max_cents` is a ValidationError saying which."""
    match = _AMOUNT.match(_SPACES_AND_SIGN.sub("", text or ""))
    if not match:
        raise ValidationError(_("Enter an amount in euros, like 3,50."), code="invalid")
    if match["sign"]:
        raise ValidationError(_("The amount cannot be negative."), code="negative")
    decimals = match["decimals"] or ""
    if len(decimals) > 2:
        raise ValidationError(
            _("Give at most two decimals (the cents), like 3,50."), code="decimals"
        )
    whole = match["whole"].lstrip("0") or "0"
    if len(whole) > len(str(max_cents)):  # before int(): a thousand digits must not be parsed
        raise _too_high(max_cents)
    cents = int(whole) * 100 + int(decimals.ljust(2, "0"))
    if cents > max_cents:
        raise _too_high(max_cents)
    return cents


def _too_high(max_cents: int) -> ValidationError:
    return ValidationError(
        _("The amount is at most %(max)s: check it."),
        code="max_value",
        params={"max": euros_format(max_cents)},
    )
