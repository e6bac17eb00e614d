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
