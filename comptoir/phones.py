"""Phone numbers, French and international, read with Google's libphonenumber (`phonenumbers`).

Every phone input is stored in E.164 ("+33479000000") by `phone_normalise`, and shown by
`phone_display`: a French number (overseas ones too) in the national format people dial
("04 79 00 00 00"), any other in the international one ("+44 20 7946 0958").
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What a person types for a French number without +33: metropolitan France first, then the
# overseas departments that share its numbering plan ("0262 …" is a Réunion number).
_FRENCH_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "PM")
# Longer than any number with its spaces and dots: more is not a phone number.
PHONE_MAX_LENGTH = 30
# What people write numbers with. Letters are refused: libphonenumber would read "04 79 AB CD"
# as a keypad's vanity number (04 79 22 23).
_PHONE_CHARACTERS = re.compile(r"[0-9+().\s/-]+")


def _parsed(text: str) -> phonenumbers.PhoneNumber | None:
    for region in _FRENCH_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return number
        if number.country_code != phonenumbers.country_code_for_region(region):
            return None  # "+44 …": another region's guess cannot make it valid
    return None


def phone_normalise(text: str) -> str:
    """A phone number as typed → E.164 ("04 79 00 00 00" → "+33479000000"); "" when blank.
    A text that is not a valid number of any country is a ValidationError."""
    text = (text or "").strip()
    if not text:
        return ""
    typed_as_a_number = len(text) <= PHONE_MAX_LENGTH and _PHONE_CHARACTERS.fullmatch(text)
    number = _parsed(text) if typed_as_a_number else None
    if number is None:
        raise ValidationError(
            _("Enter a valid phone number, like 06 12 34 56 78 or, from abroad, +44 20 7946 0958."),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str) -> str:
    """A stored number for reading: "04 79 00 00 00" for France, "+44 20 7946 0958" elsewhere;
    a value that is not a number (an old free text) as it is."""
    number = _parsed(value) if value else None
    if number is None:
        return value or ""
    kind = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) in _FRENCH_REGIONS
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, kind)
