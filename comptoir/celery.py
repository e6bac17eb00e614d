"""Celery, tenant-aware: a task runs in the schema of the request or task that sent it.

A task the broker cannot take (Redis down) runs in this process instead, at once: the sender
sends after its commit (`task_after_commit`, `delay_on_commit`), so the task sees what it was
sent about, in the sending town's schema, as it would on a worker. The visitor waits for the
e-mail to go, but nothing is lost and nothing answers 500; a failure of the task itself is logged,
as a worker would log it. The outage is logged once per REDIS_DOWN_REPORT_SECONDS
(comptoir.outage).
"""

import logging
from typing import Any

from celery import states
from celery.result import EagerResult
from celery.utils import uuid
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

from comptoir.db import connection
from comptoir.outage import outage_for

logger = logging.getLogger(__name__)


class TownTask(TenantTask):
    """Every task of the project: queued on the broker, or run here when the broker is away."""

    abstract = True

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        conf = self._get_app().conf
        if conf.task_always_eager:
            return super().apply_async(args, kwargs, **options)
        broker = outage_for(
            "The Celery broker",
            conf.broker_write_url or conf.broker_url,
            meanwhile="tasks run in the web process that sends them",
        )
        if not broker.waiting():
            try:
                queued = super().apply_async(args, kwargs, **options)
            except (OperationalError, RedisError) as error:
                broker.failed(error)
            else:
                broker.answered()
                return queued
        task_id = options.get("task_id") or uuid()
        try:
            return self.apply(
                args, kwargs, task_id=task_id, headers=options.get("headers"), throw=True
            )
        except Exception as error:
            # A failed attempt retries at once here, up to the task's max_retries, then ends up here.
            logger.exception("Task %s failed in this process (no broker).", self.name)
            return EagerResult(task_id, error, states.FAILURE, name=self.name)


# No settings default here: importing the package (python -m comptoir.devenv does) must not
# choose settings for the commands it runs. manage.py, wsgi/asgi, the Makefile and the image do.
app = CeleryApp("comptoir", task_cls=TownTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_after_commit(task: Any, *args: object) -> None:
    """Queue `task(*args)` once the transaction commits, in the schema of the town sending it.

    The schema is read now: by commit time the connection may be on another one. What fails
    then is logged, not raised: the sender's work is committed and must not be reported as
    failed because of a notification.
    """
    headers = {"_schema_name": connection.schema_name}
    transaction.on_commit(lambda: task.apply_async(args=list(args), headers=headers), robust=True)
