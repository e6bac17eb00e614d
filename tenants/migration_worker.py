"""The start of a process of `platform_setup --parallel`'s pool, importable before Django is.

The pool's processes are spawned, not forked: a fork copies the parent's threads' locks in
whatever state they were (Sentry's transport, a test runner's, a live server's), and a child
can then wait forever on one. A spawned process starts clean, so it sets Django up itself, on
the parent's very database settings (a test run's database is not the settings module's).
"""

import os
from typing import Any


def worker_start(
    settings_module: str, database: dict[str, Any], lock_timeout: float, statement_timeout: float
) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django
    from django.conf import settings

    # Before Django is set up: the connections read the settings once, at their first use.
    settings.DATABASES["default"] = database  # type: ignore[assignment]  # the parent's own
    django.setup()
    from tenants.services.migrations import migration_worker_start

    migration_worker_start(lock_timeout, statement_timeout)
