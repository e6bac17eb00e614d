import os

from .base import *  # noqa: F403

ROOT_DOMAIN = "comptoir.test"

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SPARE_SCHEMA_POOL_SIZE = 0
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks run in-process in tests; tests/comptoir/test_celery_worker.py runs a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
# xdist workers share one Redis: keep their cache keys apart.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
# Nothing is fetched in tests: maps draw their markers without tiles.
LEAFLET_TILE_URL = ""
# The whole suite calls the public API from one address; throttling has its own test.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "100000/minute"}  # noqa: F405
# Nothing reaches Stripe from tests: a test that needs it starts the fake (tests/billing) and
# points STRIPE_API_BASE at it; one that forgets gets a refused connection.
STRIPE_API_BASE = "http://127.0.0.1:9"
