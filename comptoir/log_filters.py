import logging

from django.db import connection


class TownLogFilter(logging.Filter):
    """Stamp every log line with the schema it was written in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.schema_name = getattr(connection, "schema_name", "-")
        return True
