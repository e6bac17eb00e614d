import os

from .base import *  # noqa: F403

DEBUG = True
# The port `make dev PORT=…` serves on, which e-mailed links name.
SITE_PORT = os.environ.get("SITE_PORT", "8000")
# runserver opens a thread per request, and a thread's kept connection is never closed once the
# thread is gone: close each one at the end of its request instead.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Without real Stripe keys, `make dev` serves the offline fake here (tests/fakes/stripe_server.py).
STRIPE_FAKE_PORT = os.environ.get("STRIPE_FAKE_PORT", "12111")
if STRIPE_SECRET_KEY == STRIPE_FAKE_SECRET_KEY and not os.environ.get("STRIPE_API_BASE"):  # noqa: F405
    STRIPE_API_BASE = f"http://127.0.0.1:{STRIPE_FAKE_PORT}"
# The fake pays out each connected account's balance (and pays the last period's payouts) this
# often, as Stripe's automatic payouts would; 0 turns it off.
STRIPE_FAKE_PAYOUT_SECONDS = float(os.environ.get("STRIPE_FAKE_PAYOUT_SECONDS", "60"))
