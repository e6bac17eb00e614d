"""Which public page a request showed, and the counters told once it has been answered.

A shop-window view says what its page is (`page_seen_mark`: its kind and the merchant, product,
category or campaign it shows); the page cache keeps that with the page it keeps and marks a
request it answers from the cache the same way, so a cached page is counted like a rendered one.
`PageSeenMiddleware` (comptoir.middleware) then hands each marked request that answered 200 to
the counters registered here, after the response has been sent (reporting registers its visit
counter in its `AppConfig.ready()`: the platform never names it).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

logger = logging.getLogger(__name__)

_ATTRIBUTE = "_comptoir_page_seen"


@dataclass(frozen=True)
class PageSeen:
    """A public page as counted: its kind ("home", "directory", "merchant", "product",
    "category", "search", "campaign", "map") and what it shows (None when nothing of that)."""

    kind: str
    merchant_id: int | None = None
    product_id: int | None = None
    category_id: int | None = None
    campaign_id: int | None = None


# A counter gets the request, what it showed and the schema of the town it was shown in.
Counter = Callable[[HttpRequest, PageSeen, str], None]
_counters: list[Counter] = []


def page_seen_counter_register(counter: Counter) -> None:
    """Tell `counter` about every public page shown (once per process, from `ready()`)."""
    if counter not in _counters:
        _counters.append(counter)


def page_seen_mark(request: HttpRequest, seen: PageSeen) -> None:
    """Say which page this request shows (the view's, or the page cache's copy of it)."""
    setattr(request, _ATTRIBUTE, seen)


def page_seen_of(request: HttpRequest) -> PageSeen | None:
    return getattr(request, _ATTRIBUTE, None)


def page_seen_count(request: HttpRequest, seen: PageSeen, schema_name: str) -> None:
    """Hand the page seen to every counter. A counter that fails is logged and the others still
    count: counting must never break a page, nor be silent when it stops working."""
    for counter in _counters:
        try:
            counter(request, seen, schema_name)
        except Exception:
            logger.exception("Counting a page seen failed (%s).", seen.kind)
