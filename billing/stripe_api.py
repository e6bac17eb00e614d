"""The one way billing reaches Stripe: the official library, configured from the settings.

STRIPE_API_BASE, when set, sends every request to that address instead of Stripe's (the offline
fake in development and tests); the key is STRIPE_SECRET_KEY.
"""

import logging
from collections.abc import Callable
from functools import lru_cache

import stripe
from django.conf import settings

from billing.errors import StripeUnavailable

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str) -> stripe.StripeClient:
    base_addresses = {"api": api_base, "connect": api_base, "files": api_base} if api_base else {}
    # Retries carry the same idempotency key (the library's own), so they never create twice.
    return stripe.StripeClient(
        secret_key,
        base_addresses=base_addresses,  # type: ignore[arg-type]
        max_network_retries=2,
    )


def stripe_client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def stripe_object(values: dict[str, object]) -> stripe.StripeObject:
    """A stored answer (a webhook's payload) as the library's own typed object."""
    return stripe.convert_to_stripe_object(values)


def stripe_created(call: Callable[[], str], *, what: str) -> str:
    """The id of what `call` creates at Stripe; a refusal or an outage is logged and raised as
    StripeUnavailable, which the calling task retries."""
    try:
        return call()
    except stripe.StripeError as error:
        logger.warning("Stripe refused the %s: %s", what, error)
        raise StripeUnavailable(str(error)) from error
