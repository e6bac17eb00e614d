"""A task runs in the schema of the town that sent it, on a real worker fed through Redis."""

import queue
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.fixups.django import DjangoWorkerFixup  # type: ignore[attr-defined]  # not in celery-types
from django.conf import settings

from comptoir.accounts.models import User
from comptoir.celery import app as celery_app
from comptoir.db import connection
from tests.conftest import inside

# What the probe saw, in the worker's thread: (label, schema, e-mails of the schema's users).
seen: queue.Queue[tuple[str, str, list[str]]] = queue.Queue()


@celery_app.task(name="tests.comptoir.schema_probe")
def schema_probe(label: str) -> None:
    emails = sorted(User.objects.values_list("email", flat=True))
    seen.put((label, connection.schema_name, emails))
    # The worker's thread ends with the test; its connection must not outlive it.
    connection.close()


@pytest.fixture
def worker_queue(monkeypatch) -> Iterator[str]:
    """A real worker on Redis, consuming a queue of this test's own."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: Celery runs tasks in-process")
    # Celery's Django fixup closes the database sockets a forked worker inherits; this worker is
    # a thread of the test process, whose sockets (the test's own connection) must stay open.
    monkeypatch.setattr(DjangoWorkerFixup, "_maybe_close_db_fd", lambda self, connection: None)
    name = f"tests-{uuid.uuid4().hex}"
    saved = {
        key: celery_app.conf[key] for key in ("task_always_eager", "worker_hijack_root_logger")
    }
    celery_app.conf.update(task_always_eager=False, worker_hijack_root_logger=False)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, queues=[name], shutdown_timeout=30
        ):
            yield name
    finally:
        celery_app.conf.update(saved)
        # The queue, and the bindings kombu keeps for it in Redis.
        redis.Redis.from_url(settings.REDIS_URL).delete(
            name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}"
        )


def test_a_task_runs_in_the_sending_towns_schema(town_a, town_b, worker_queue):
    # The towns' first administrators were committed when the session provisioned them.
    with inside(town_a):
        schema_probe.apply_async(args=["from alpha"], queue=worker_queue)
    with inside(town_b):
        schema_probe.apply_async(args=["from beta"], queue=worker_queue)
    schema_probe.apply_async(args=["from the platform"], queue=worker_queue)

    results = sorted(seen.get(timeout=30) for _ in range(3))

    assert results == [
        ("from alpha", "alpha", ["mairie@alpha.test"]),
        ("from beta", "beta", ["mairie@beta.test"]),
        ("from the platform", "public", []),
    ]
    assert seen.empty()
