"""Helpers for tests that race on real PostgreSQL: one thread and one connection each, real
commits and row locks. No rollback covers several connections, so what such a test commits
stays until its own cleanup removes it."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from comptoir.db import connection
from tenants.models import Town
from tests.conftest import inside


@contextmanager
def town_committed(django_db_blocker, *, cleanup: Callable[[], None]) -> Iterator[Town]:
    """Alpha, with database access outside the test's transaction; `cleanup` then runs in
    Alpha's schema to delete what the test committed."""
    with django_db_blocker.unblock():
        town = Town.objects.get(slug="alpha")
        yield town
        with inside(town):
            cleanup()
        connection.set_schema_to_public()


def in_threads(count: int, work: Callable[[int], None], town: Town) -> list[BaseException]:
    """Run work(0) … work(count - 1) at the same instant in the town's schema, one thread and
    connection each; the errors they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            with inside(town):
                barrier.wait()
                work(index)
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
