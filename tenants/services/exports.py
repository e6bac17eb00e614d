"""A town's data for the town itself, when it leaves: each table the apps registered
(`tenants.hooks.town_export_register`) as CSV and as JSON, in one zip in the private backups
storage, downloaded from the console like a backup (and audited the same way).

Rows are read with an iterator and written as they come, so a town's hundred thousand orders
never sit in memory at once.
"""

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files import File
from django.core.files.storage import storages
from django.db.models import QuerySet
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.hooks import town_exports
from tenants.models import Town, VendorAuditEvent
from tenants.services.audit import vendor_audit_record

ROWS_PER_READ = 2000


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(rows: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=ROWS_PER_READ)
    return rows


def _table_write(
    archive: zipfile.ZipFile, name: str, columns: tuple[str, ...], rows: Iterable[Mapping[str, Any]]
) -> int:
    """The table as `name`.csv and `name`.json, its rows read once: the CSV goes straight into
    the zip, the JSON to a file of its own beside (a zip takes one member at a time)."""
    count = 0
    with (
        tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".json") as json_text,
        archive.open(f"{name}.csv", "w") as csv_file,
    ):
        csv_text = io.TextIOWrapper(csv_file, encoding="utf-8", newline="")
        writer = csv.writer(csv_text)
        writer.writerow(columns)
        json_text.write("[")
        for row in _rows(rows):
            values = [_plain(row[column]) for column in columns]
            writer.writerow("" if value is None else value for value in values)
            json_text.write(",\n" if count else "\n")
            json_text.write(json.dumps(dict(zip(columns, values, strict=True)), ensure_ascii=False))
            count += 1
        json_text.write("\n]\n")
        json_text.flush()
        csv_text.flush()
        csv_text.detach()
        csv_file.close()
        archive.write(json_text.name, f"{name}.json")
    return count


def town_export(*, town: Town, actor_email: str = "", label: str = "") -> str:
    """Write the town's export (one zip named after its schema and `label`, by default the
    time) to the backups storage, audited; returns its name. A label already exported is not
    made again."""
    label = label or timezone.now().strftime("%Y%m%dT%H%M%S")
    name = f"{town.schema_name}-export-{label}.zip"
    backups = storages["backups"]
    if backups.exists(name):
        return name
    counts: dict[str, int] = {}
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with schema_context(town.schema_name):
                for table, (columns, rows) in town_exports().items():
                    counts[table] = _table_write(archive, table, columns, rows())
            archive.writestr(
                "README.txt",
                f"{town.name}: data exported on {timezone.now().isoformat()}\n"
                "Each table as CSV (UTF-8, comma separated, header first) and as JSON.\n"
                "Amounts are in cents of euros, times in ISO 8601.\n\n"
                + "".join(f"{table}: {count} rows\n" for table, count in counts.items()),
            )
        spool.seek(0)
        name = backups.save(name, File(spool))
    with schema_context("public"):
        vendor_audit_record(
            town=town, action=VendorAuditEvent.Action.EXPORT, actor_email=actor_email, detail=name
        )
    return name


def town_export_request(*, town: Town, actor_email: str) -> str:
    """Queue the town's export now (Celery); the label its zip will carry."""
    from tenants.tasks import town_export as town_export_task

    label = timezone.now().strftime("%Y%m%dT%H%M%S")
    town_export_task.delay(town.slug, label, actor_email)
    return label
