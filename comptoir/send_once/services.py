"""Sending something once however often a task runs, retries or races another worker."""

from collections.abc import Callable

from django.db import connection

from comptoir.send_once.models import SentOnce


def _claim(*, purpose: str, key: str) -> bool:
    """True for the one caller whose row went in. Of two workers inserting at once, PostgreSQL
    makes the second wait for the first and then skip the conflicting row."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(SentOnce._meta.db_table)} ({quote('purpose')}, {quote('key')}) "  # noqa: S608
            f"VALUES (%s, %s) ON CONFLICT ({quote('purpose')}, {quote('key')}) DO NOTHING",
            [purpose, key],
        )
        return cursor.rowcount == 1


def send_once(*, purpose: str, key: int | str, send: Callable[[], None]) -> bool:
    """Call `send` unless it was already called for `purpose` and `key`: True when called now.

    The claim is taken before sending, so two workers never both send. When `send` raises, the
    claim is given back and the error goes on: a task retried on it sends again.
    """
    key = str(key)
    if not _claim(purpose=purpose, key=key):
        return False
    try:
        send()
    except Exception:
        SentOnce.objects.filter(purpose=purpose, key=key).delete()
        raise
    return True
