"""Celery, tenant-aware: a task runs in the schema of the request or task that sent it."""

from typing import Any

from django.db import transaction
from tenant_schemas_celery.app import CeleryApp

from comptoir.db import connection

# No settings default here: importing the package (python -m comptoir.devenv does) must not
# choose settings for the commands it runs. manage.py, wsgi/asgi, the Makefile and the image do.
app = CeleryApp("comptoir")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_after_commit(task: Any, *args: object, robust: bool = False) -> None:
    """Queue `task(*args)` once the transaction commits, in the schema of the town sending it.

    The schema is read now: by commit time the connection may be on another one. `robust` logs
    a broker failure instead of raising it, for callers whose work is committed and must not be
    reported as failed because a notification could not be queued.
    """
    headers = {"_schema_name": connection.schema_name}
    transaction.on_commit(lambda: task.apply_async(args=list(args), headers=headers), robust=robust)
