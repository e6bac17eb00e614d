import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if AWS_STORAGE_BUCKET_NAME and not AWS_BACKUP_BUCKET_NAME:  # noqa: F405
    # A web pod's disk does not outlive it: town backups would be lost with the pod.
    raise ImproperlyConfigured("Set AWS_BACKUP_BUCKET_NAME, a private bucket for town backups.")

DEBUG = False
SITE_SCHEME = "https"
SECRET_KEY = os.environ["SECRET_KEY"]
CONSOLE_REQUIRE_2FA = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Real Stripe only: never the fake's published key or signing secret. Without
# STRIPE_WEBHOOK_SECRET every webhook is refused rather than checked against a known secret.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_LIVEMODE = stripe_livemode(STRIPE_SECRET_KEY)  # noqa: F405
# Every town is a subdomain of ROOT_DOMAIN, all served over HTTPS (the wildcard certificate):
# browsers may refuse plain HTTP for all of them, and the root may go on the preload list.
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "1") == "1"
# The Celery queue the workers read (and KEDA measures: deploy/k8s/base/worker.yaml): another
# name lets a second deployment share one Redis.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_DEFAULT_QUEUE", "celery")
# A lost connection (PostgreSQL restarting, a failover) is noticed before the request uses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
# One JSON object a line for the log collector, and one line per request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "town"  # noqa: F405
LOGGING["loggers"]["comptoir.request"]["level"] = os.environ.get("REQUEST_LOG_LEVEL", "INFO")  # noqa: F405

# A laptop's compose stack only (deploy/compose.yaml): plain HTTP on localhost. Never in a
# cluster: `manage.py check --deploy` then fails (tests/deploy holds it to that).
if os.environ.get("COMPTOIR_PLAIN_HTTP") == "1":
    SITE_SCHEME = "http"
    SECURE_SSL_REDIRECT = False
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
    SECURE_HSTS_SECONDS = 0

# The SMTP relay (Django's SMTP backend reads these settings, not the environment).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
EMAIL_TIMEOUT = 10
