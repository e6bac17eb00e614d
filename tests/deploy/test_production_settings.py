"""The production settings pass Django's deployment checks, log JSON and start Sentry with its
scrubber. Each runs in a fresh interpreter: the production settings are not this process's."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "SENTRY_DSN", "COMPTOIR_PLAIN_HTTP")
    }
    database = settings.DATABASES["default"]
    environment.update(
        DJANGO_SETTINGS_MODULE="comptoir.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ROOT_DOMAIN="comptoir.example",
        DATABASE_URL=(
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
    )
    environment.update(extra)
    return environment


def run(args: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_check_deploy_passes_with_the_production_settings():
    checked = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_check_deploy_fails_on_the_laptops_plain_http():
    """The check has teeth: compose's plain HTTP (never set in a cluster) does not pass it."""
    checked = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], COMPTOIR_PLAIN_HTTP="1"
    )
    assert checked.returncode == 1
    assert "security.W008" in checked.stderr  # SECURE_SSL_REDIRECT
    assert "security.W012" in checked.stderr  # SESSION_COOKIE_SECURE


SETTINGS_SCRIPT = """
import json, django
from django.conf import settings
django.setup()
import sentry_sdk
options = sentry_sdk.get_client().options
print(json.dumps({
    "formatter": settings.LOGGING["handlers"]["console"]["formatter"],
    "request_log": settings.LOGGING["loggers"]["comptoir.request"]["level"],
    "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "hsts_subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "email_host": settings.EMAIL_HOST,
    "before_send": options["before_send"].__module__ + "." + options["before_send"].__name__,
    "before_breadcrumb": options["before_breadcrumb"].__name__,
    "user_info": options["data_collection"]["user_info"],
}))
"""


def test_production_logs_json_and_sentry_scrubs_what_it_sends():
    # Nothing is sent: no event is captured, and the address is this machine's discard port.
    loaded = run(
        ["-c", SETTINGS_SCRIPT], SENTRY_DSN="http://key@127.0.0.1:9/1", EMAIL_HOST="smtp.example"
    )
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout) == {
        "formatter": "json",
        "request_log": "INFO",
        "health_checks": True,
        "hsts_subdomains": True,
        "email_host": "smtp.example",
        "before_send": "comptoir.scrubbing.scrub_event",
        "before_breadcrumb": "scrub_breadcrumb",
        "user_info": False,
    }
