"""Personal data kept out of Sentry: e-mail addresses, phone numbers and postal addresses.

Sentry already sends no user, no cookie and no request body (settings: `data_collection`);
what remains can still carry personal data in an exception's message, a log message, a local
variable, a breadcrumb or the query string (`ValidationError: camille@…`, `Adresse : 12 rue …`).
`scrub_event` (Sentry's `before_send`) walks the whole event: a value under a personal key
(e-mail, phone, address, name, …) is replaced, and in every other string the e-mails, phone
numbers and street addresses found are.
"""

import re
from typing import Any, cast

from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Event, Hint

FILTERED = "[Filtered]"

# A key made of words (snake_case, kebab-case, dotted) one of which names a personal datum.
_PERSONAL_WORDS = (
    r"e-?mails?|courriels?|phones?|t[ée]l[ée]phones?|mobiles?|addresse?s?|adresses?|streets?|"
    r"rues?|postcodes?|postal|zip|city|ville|(?:first|last|full|sur|user|display)_?names?|pr[ée]noms?|"
    r"noms?|users?|ip|passwords?|passwd|secrets?|tokens?|iban|cards?|authorization|cookies?"
)
_PERSONAL_KEY = re.compile(rf"(?:^|[_.\s-])(?:{_PERSONAL_WORDS})(?:$|[_.\s-])", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
# French numbers (06 12 34 56 78, +33 6 12 34 56 78, 0612345678) and other international ones.
_PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[\s.-]?|0)\d(?:[\s.-]?\d{2}){4}(?![\w])")
# A number, then a kind of way: "12 rue de la Paix", "3 bis, avenue Foch", "221B Baker Street".
_STREET = re.compile(
    r"\b\d{1,4}\s?(?:bis|ter|[a-c])?,?\s+"
    r"(?:rue|avenue|av\.|boulevard|bd|place|chemin|impasse|all[ée]e|quai|route|cours|square|"
    r"passage|lieu-dit|faubourg|street|st\.|road|rd\.|lane|way)\b[^,;\n\"']{0,60}",
    re.IGNORECASE,
)
# A French postcode followed by a town: "73100 Aix-les-Bains".
_POSTCODE_TOWN = re.compile(r"\b\d{5}\s+[A-ZÀ-Ý][\w' -]{1,40}")


def scrub_text(text: str) -> str:
    for pattern in (_EMAIL, _STREET, _POSTCODE_TOWN, _PHONE):
        text = pattern.sub(FILTERED, text)
    return text


def scrub(value: Any, *, key: str = "") -> Any:
    """`value` with every personal datum replaced; containers are copied, never changed."""
    if key and _PERSONAL_KEY.search(key) and value not in (None, "", [], {}):
        return FILTERED if isinstance(value, str | int | float) else scrub_keys_only(value)
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: scrub(v, key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(item) for item in value)
    return value


def scrub_keys_only(value: Any) -> Any:
    """A container under a personal key: every string in it goes."""
    if isinstance(value, dict):
        return {k: scrub_keys_only(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub_keys_only(item) for item in value)
    return FILTERED if isinstance(value, str | int | float) else value


# Parts of an event that hold no personal data and must stay as sent (Sentry groups by them).
_KEPT = frozenset(
    {
        "event_id",
        "timestamp",
        "platform",
        "level",
        "logger",
        "release",
        "environment",
        "server_name",
        "sdk",
        "modules",
        "tags",
        "fingerprint",
        "contexts",
        "type",
        "transaction_info",
    }
)


def scrub_event(event: Event, hint: Hint) -> Event | None:
    """Sentry's `before_send`."""
    return cast(
        Event, {key: value if key in _KEPT else scrub(value) for key, value in event.items()}
    )


def scrub_breadcrumb(crumb: Breadcrumb, hint: BreadcrumbHint) -> Breadcrumb | None:
    """Sentry's `before_breadcrumb`: log messages and SQL parameters recorded along the way."""
    return cast(Breadcrumb, scrub(crumb))
