"""Settings shared by every environment, driven by environment variables.

dev.py, test.py and production.py adjust this base; nothing here is secret.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("COMPTOIR_DATA_DIR", BASE_DIR / ".data"))

SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = os.environ.get("DEBUG", "") == "1"

# Every town lives at <slug>.<ROOT_DOMAIN>; the vendor's site and console at ROOT_DOMAIN itself.
ROOT_DOMAIN = os.environ.get("ROOT_DOMAIN", "localhost")
SITE_SCHEME = os.environ.get("SITE_SCHEME", "http")
SITE_PORT = os.environ.get("SITE_PORT", "")
# Towns may bring their own domains: the routing middleware is the host allow-list (the Domain
# table), answering unknown hosts with a 404 page; links in e-mails never use the request's host.
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h] or ["*"]

# --- Applications -------------------------------------------------------------------------

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "comptoir.accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "axes",
    "comptoir",
    # Billing's public-schema tables: Stripe's webhook events, which town owns which account.
    "billing.shared",
]

# Users, sessions and tokens live in every town's own schema: an account, a session or a token
# of one town means nothing in another (django-tenants' security notes: auth and sessions
# must sit at the same level).
TENANT_APPS = [
    "comptoir.accounts",
    "comptoir.send_once",
    # Sign-in attempts are counted where the accounts are: per town, and for the console.
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework.authtoken",
    "marketplace.directory",
    "marketplace.catalogue",
    "marketplace.orders",
    "marketplace.shoppers",
    "marketplace.messaging",
    "marketplace.appointments",
    "marketplace.backoffice",
    "marketplace.campaigns",
    "marketplace.storefront",
    "marketplace.demo",
    "reporting",
    "billing",
    "onboarding",
    # A surface, no models: listed so its templates load.
    "surfaces.town_admin",
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Town"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New towns are cloned from this schema, kept migrated (tenants.services.template).
TENANT_BASE_SCHEMA = "town_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
PUBLIC_SCHEMA_URLCONF = "surfaces.urls_public"
ROOT_URLCONF = "surfaces.urls_town"

AUTH_USER_MODEL = "accounts.User"
# django-axes throttles every sign-in form (town, back office, console): after 5 failures an
# account, and separately an address, waits 15 minutes; a success clears the account's count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The sign-in forms post the e-mail as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "comptoir.accounts.throttling.sign_in_locked_out"
AXES_CLIENT_IP_CALLABLE = "comptoir.accounts.throttling.client_address"
# Proxies in front of the web processes that append to X-Forwarded-For (1 behind an ingress).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_VERBOSE = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"

MIDDLEWARE = [
    # Outermost: /metrics for the cluster's scraper, then every request counted and logged.
    "comptoir.metrics.MetricsMiddleware",
    "comptoir.request_log.RequestLogMiddleware",
    "comptoir.middleware.TownRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sessions, users and messages, so its 400 page renders like any other page.
    "comptoir.middleware.NulCharacterRefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "comptoir.middleware.TownAvailabilityMiddleware",
    # Counts the public pages shown, cached ones too, after their response is sent.
    "comptoir.middleware.PageSeenMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "comptoir" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comptoir.context_processors.town",
                "comptoir.context_processors.services_down",
                "marketplace.orders.context_processors.cart",
            ],
        },
    },
]

WSGI_APPLICATION = "comptoir.wsgi.application"

# --- Database -----------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/comptoir")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A kept connection is checked before a request uses it: after PostgreSQL restarts, the first
# request reconnects instead of failing on the dead connection (comptoir.views.server_error).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ------------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
# The site serves without Redis: the cache then misses (comptoir/cache.py) and a task the broker
# cannot take runs in the web process after its commit (comptoir/celery.py). Either outage is
# logged once per REDIS_DOWN_REPORT_SECONDS; after a failed call Redis is left alone for
# REDIS_DOWN_RETRY_SECONDS, so a host that does not answer costs one timeout in that while.
REDIS_DOWN_REPORT_SECONDS = 60
REDIS_DOWN_RETRY_SECONDS = 2
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "comptoir.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # A cache call waits a second at most for a Redis that does not answer.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            # Every key carries the schema, so one town never reads another town's entry.
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        }
    }

# Sessions are read from the cache (keys carry the schema, like the town's own session table)
# and written through to the database: a signed-in page costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without Redis (a laptop, the smoke run) tasks run in-process, right away.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_BEAT_SCHEDULE = {
    "refresh-town-stats": {
        "task": "tenants.tasks.town_stats_refresh_all",
        "schedule": 15 * 60,
    },
    # Every town in use, as one archive each in the backups storage (tenants.services.backups).
    "back-up-towns": {
        "task": "tenants.tasks.towns_backup_all",
        "schedule": 24 * 60 * 60,
    },
    "refill-spare-schemas": {
        "task": "tenants.tasks.spare_pool_refill",
        "schedule": 5 * 60,
    },
    "extend-appointment-slots": {
        "task": "marketplace.appointments.tasks.appointment_slots_extend_all",
        "schedule": 6 * 60 * 60,
    },
    "purge-abandoned-carts": {
        "task": "marketplace.orders.tasks.carts_abandoned_purge_all",
        "schedule": 24 * 60 * 60,
    },
    "release-expired-reservations": {
        "task": "marketplace.orders.tasks.reservations_expired_release_all",
        "schedule": 60,
    },
    # Page views counted in Redis, written into each town's tables (reporting.services).
    "flush-visits": {
        "task": "reporting.tasks.visits_flush_all",
        "schedule": 60,
    },
    # Repairs what a missed Stripe webhook left behind.
    "reconcile-stripe-events": {
        "task": "billing.tasks.billing_reconcile",
        "schedule": 60 * 60,
    },
    # Towns unpaid past their plan's grace period become read-only.
    "enforce-subscription-grace": {
        "task": "billing.tasks.subscriptions_grace_enforce",
        "schedule": 15 * 60,
    },
    # The console's commission per town and month.
    "refresh-commission-months": {
        "task": "billing.tasks.commission_months_refresh",
        "schedule": 60 * 60,
    },
    # Card refunds whose reversal Stripe refused (or whose task was lost) are tried again.
    "retry-card-refunds": {
        "task": "billing.tasks.card_order_refunds_retry_all",
        "schedule": 10 * 60,
    },
}
# How long a checkout's stock is held for its payment; unpaid by then, its orders are cancelled
# (the beat sweep above) and the stock is for the other shoppers again.
STOCK_RESERVATION_MINUTES = int(os.environ.get("STOCK_RESERVATION_MINUTES", "15"))
# How many ready, unnamed town schemas the pool keeps for instant provisioning.
SPARE_SCHEMA_POOL_SIZE = int(os.environ.get("SPARE_SCHEMA_POOL_SIZE", "2"))

# Counting the public pages' views (reporting): off, nothing is counted. GEOIP_PATH: a
# GeoIP2/GeoLite2-City .mmdb file, read offline, placing visitors' towns; unset, no origins.
VISITS_COUNTING = os.environ.get("VISITS_COUNTING", "1") == "1"
GEOIP_PATH = os.environ.get("GEOIP_PATH", "")

# --- Files --------------------------------------------------------------------------------

STATIC_URL = "/static/"
# None where nothing is collected (the bench settings).
STATIC_ROOT: Path | None = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "comptoir" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
AWS_BACKUP_BUCKET_NAME = os.environ.get("AWS_BACKUP_BUCKET_NAME", "")
STORAGES = {
    "default": {
        "BACKEND": (
            "comptoir.storage.TownS3Storage"
            if AWS_STORAGE_BUCKET_NAME
            else "comptoir.storage.TownFileSystemStorage"
        )
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Schema backups written before a town is deleted hold every personal datum of the town:
    # a store of their own, never under a served URL; on S3 a bucket of their own, objects
    # private. Only vendor staff download them, from the console, and each download is audited.
    "backups": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": AWS_BACKUP_BUCKET_NAME,
                "default_acl": "private",
                "file_overwrite": False,
            },
        }
        if AWS_BACKUP_BUCKET_NAME
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": DATA_DIR / "backups", "base_url": None},
        }
    ),
}

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["comptoir.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- E-mail -------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Text messages to shoppers (order status): the console backend only logs them.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "marketplace.orders.sms.ConsoleSmsBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Comptoir <bonjour@comptoir.fr>")

# --- Security -----------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Cookies are per host: never set a cookie domain, so no session crosses towns.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
X_FRAME_OPTIONS = "DENY"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Vendor staff must pass a second factor on the console once they have enrolled a device;
# production requires every vendor to enrol.
CONSOLE_REQUIRE_2FA = os.environ.get("CONSOLE_REQUIRE_2FA", "") == "1"
OTP_TOTP_ISSUER = "Comptoir"

# --- API ----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # The public catalogue API is anonymous: throttled per address (views opt in).
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_THROTTLE_RATE", "300/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Comptoir API",
    "DESCRIPTION": "Town catalogue, merchants' and vendor APIs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Stripe -------------------------------------------------------------------------------

# The offline fake's own key and signing secret (tests/fakes/stripe_server.py). Without real keys
# development and tests use them, so the webhook secret is never empty; production.py never does.
STRIPE_FAKE_SECRET_KEY = "sk_test_comptoir_fake"
STRIPE_FAKE_WEBHOOK_SECRET = "whsec_comptoir_fake"
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY") or STRIPE_FAKE_SECRET_KEY
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET") or STRIPE_FAKE_WEBHOOK_SECRET
# Where the stripe library sends its requests: empty is Stripe itself, else the fake's address.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# The country of the merchants' Connect accounts.
STRIPE_CONNECT_COUNTRY = os.environ.get("STRIPE_CONNECT_COUNTRY", "FR")
# A webhook signed longer ago than this is refused (Stripe's own default).
STRIPE_WEBHOOK_TOLERANCE = 300
# How far back billing_reconcile lists Stripe's events (Stripe keeps them 30 days).
STRIPE_RECONCILE_WINDOW = timedelta(days=3)


def stripe_livemode(secret_key: str) -> bool:
    """A live key takes live events only, a test key test events only."""
    return secret_key.startswith(("sk_live_", "rk_live_"))


STRIPE_LIVEMODE = stripe_livemode(STRIPE_SECRET_KEY)

# --- Maps ---------------------------------------------------------------------------------

# The map's tile server (Leaflet URL template); empty draws markers on a blank map.
LEAFLET_TILE_URL = os.environ.get(
    "LEAFLET_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
LEAFLET_TILE_ATTRIBUTION = os.environ.get(
    "LEAFLET_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)

# --- Observability ------------------------------------------------------------------------

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
# LOG_FORMAT=json (production's default): one JSON object a line, with the town's schema, the
# request id and what the line's `extra` carries (comptoir.request_log: latency, user kind).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"town": {"()": "comptoir.log_filters.TownLogFilter"}},
    "formatters": {
        "town": {"format": "%(asctime)s %(levelname)s [%(schema_name)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(schema_name)s %(request_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "schema_name": "town",
            },
            "timestamp": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["town"],
            "formatter": "json" if LOG_FORMAT == "json" else "town",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per request, written by comptoir.request_log; off unless asked for (tests, dev).
        "comptoir.request": {"level": os.environ.get("REQUEST_LOG_LEVEL", "WARNING")},
    },
}

# /metrics (comptoir.metrics) answers only scrapers at these addresses (the pods' network in a
# cluster), with `Authorization: Bearer <METRICS_BEARER_TOKEN>` when it is set, and never a
# request relayed by the ingress.
METRICS_ALLOWED_NETWORKS = [
    network.strip()
    for network in os.environ.get("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128").split(",")
    if network.strip()
]
METRICS_BEARER_TOKEN = os.environ.get("METRICS_BEARER_TOKEN", "")
# Past this many towns the per-town figures are left out of a scrape (series stay bounded).
METRICS_TOWN_SERIES_MAX = int(os.environ.get("METRICS_TOWN_SERIES_MAX", "10000"))

if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from comptoir.scrubbing import scrub_breadcrumb, scrub_event

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # No personal data: sentry-sdk 3's data_collection replaces send_default_pii=False
        # (which it refuses): no user (e-mail, address), no cookies (session, CSRF).
        data_collection={"user_info": False, "cookies": {"mode": "off"}},
        # What is left (messages, local variables, query strings, breadcrumbs) is scrubbed of
        # e-mails, phone numbers and postal addresses before it leaves the process.
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("COMPTOIR_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# Uploaded images with more pixels than this are refused before they are decoded (a 40 MP
# photo is larger than any phone's; a 13,000 × 13,000 PNG of 657 KB decodes into 2.7 GB).
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 40_000_000))
