import logging

from django.db import connection


class TownLogFilter(logging.Filter):
    """Stamp every log line with the schema it was written in and the request it belongs to."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Imported here: the logging configuration loads this module before the apps are ready.
        from comptoir.request_log import request_id_var

        record.schema_name = getattr(connection, "schema_name", "-")
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True
