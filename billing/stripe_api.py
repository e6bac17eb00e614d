"""The one way billing reaches Stripe: the official library, configured from the settings.

STRIPE_API_BASE, when set, sends every request to that address instead of Stripe's (the offline
fake in development and tests); the key is STRIPE_SECRET_KEY.
"""

from functools import lru_cache

import stripe
from django.conf import settings


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
