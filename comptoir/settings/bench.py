"""Settings of `make bench` (python -m tests.bench): production-like request handling, on a
database of its own so the figures never depend on, nor touch, the development data."""

import os

from .base import *  # noqa: F403

ROOT_DOMAIN = "comptoir.test"
DEBUG = False
DATABASES["default"]["NAME"] = os.environ.get("BENCH_DATABASE_NAME", "comptoir_bench")  # noqa: F405
# A benchmark has no worker: the invitation task runs in-process and its mail stays in memory.
CELERY_TASK_ALWAYS_EAGER = True
# But tests/bench/billing.py runs a real worker on Redis: its processes set BENCH_CELERY_WORKER,
# and their tasks go to a queue of the benchmark's own, which no development worker consumes.
if os.environ.get("BENCH_CELERY_WORKER") and REDIS_URL:  # noqa: F405
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_TASK_DEFAULT_QUEUE = "bench-billing"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SPARE_SCHEMA_POOL_SIZE = 0
# Static files found once at start-up by the finders, without the per-request lookups of
# autorefresh; nothing is collected for a benchmark.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# tests/bench/migrations.py installs a probe app of its own (a folder it puts on sys.path), in
# its process and in the spawned processes of the migration pool, which read these settings anew.
if os.environ.get("BENCH_PROBE_APP"):
    TENANT_APPS.append(os.environ["BENCH_PROBE_APP"])  # noqa: F405
    INSTALLED_APPS.append(os.environ["BENCH_PROBE_APP"])  # noqa: F405
