"""A town's backup as one archive, and its restore into the same town or a new one.

The archive (a tar in the private backups storage, its SHA-256 beside it in `<name>.sha256`):
- `schema.sql`: the town's schema, `pg_dump --format=plain --schema`, no owners or privileges;
- `public.json`: the town's rows of the public schema (the town, its domains, its audit
  trail);
- `media/…`: every file the town stored (its names start with its schema, see comptoir.storage);
- `manifest.json`: each member's SHA-256, and each table's row count and content checksum.

A restore checks the archive's checksum and every member's before it writes anything, loads the
schema under its new name in one transaction, checks each table against the manifest, and only
then writes the public rows and the media. Restoring "as" a new slug rewrites the schema's name
in the dump's statements (never in its data) and the stored file names that start with it.
"""

import hashlib
import io
import json
import os
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.db import connection, models, transaction
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import quote_schema_name, schema_context, schema_exists

from comptoir.routing import town_routing_forget
from tenants.errors import TownInputInvalid
from tenants.models import Domain, Town, VendorAuditEvent
from tenants.services.audit import vendor_audit_record
from tenants.services.lifecycle import pg_binary, pg_environment
from tenants.services.provisioning import schema_name_for, slug_taken_error

ARCHIVE_FORMAT = 1
MEDIA_PREFIX = "media/"


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


@dataclass(frozen=True)
class TownBackup:
    name: str
    sha256: str
    size: int


def table_fingerprints(schema_name: str) -> dict[str, TableFingerprint]:
    """Every table of the schema: its row count and a checksum of its rows' contents (the same
    whatever order PostgreSQL keeps them in)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
            [schema_name],
        )
        tables = [name for (name,) in cursor.fetchall()]
        fingerprints = {}
        for table in tables:
            qualified = f"{quote_schema_name(schema_name)}.{connection.ops.quote_name(table)}"
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r, '' ORDER BY r), '')) "  # noqa: S608
                f"FROM (SELECT md5(t::text) AS r FROM {qualified} AS t) AS rows"
            )
            rows, checksum = cursor.fetchone()
            fingerprints[table] = TableFingerprint(rows, checksum)
    return fingerprints


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _schema_sql(schema_name: str) -> bytes:
    done = subprocess.run(  # noqa: S603 - fixed binary, arguments are ours
        [
            pg_binary("pg_dump"),
            "--format=plain",
            "--no-owner",
            "--no-privileges",
            f"--schema={schema_name}",
        ],
        env=pg_environment(),
        check=True,
        capture_output=True,
    )
    return done.stdout


def _media_names(storage: Storage, directory: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}"
    for folder in folders:
        yield from _media_names(storage, f"{directory}/{folder}")


def _public_rows_of(town: Town) -> list[models.Model]:
    rows: list[models.Model] = [town]
    rows += Domain.objects.filter(tenant=town).order_by("pk")
    rows += VendorAuditEvent.objects.filter(town_schema=town.schema_name).order_by("pk")
    return rows


def town_backup_once(*, town: Town, label: str, actor_email: str = "") -> str:
    """The town's archive `label` (e.g. the day of a nightly backup): made unless it exists.
    Returns its name."""
    name = f"{town.schema_name}-{label}.tar"
    if not storages["backups"].exists(f"{name}.sha256"):
        town_backup(town=town, actor_email=actor_email, label=label)
    return name


def town_backup_request(*, town: Town, actor_email: str) -> str:
    """Queue a backup of the town now (Celery); the label its archive will carry."""
    from tenants.tasks import town_backup as town_backup_task

    label = timezone.now().strftime("%Y%m%dT%H%M%S")
    town_backup_task.delay(town.slug, label, actor_email)
    return label


def town_backup(*, town: Town, actor_email: str = "", label: str = "") -> TownBackup:
    """Write the town's archive to the backups storage (named after its schema and `label`,
    by default the time), audited; its name, checksum and size. The dump is one consistent
    snapshot (pg_dump's own transaction); files stored while it runs may or may not be in it."""
    schema = town.schema_name
    members: dict[str, bytes] = {"schema.sql": _schema_sql(schema)}
    with schema_context("public"):
        members["public.json"] = serializers.serialize(
            "json", _public_rows_of(town), indent=1
        ).encode()
    media = storages["default"]
    for name in sorted(_media_names(media, schema)):
        with media.open(name, "rb") as stored:
            members[MEDIA_PREFIX + name] = stored.read()
    manifest = {
        "format": ARCHIVE_FORMAT,
        "town": {"slug": town.slug, "schema": schema, "name": town.name},
        "created": timezone.now().isoformat(),
        "members": {name: _sha256(data) for name, data in members.items()},
        "tables": {
            table: [fingerprint.rows, fingerprint.checksum]
            for table, fingerprint in table_fingerprints(schema).items()
        },
    }
    members["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
    content = buffer.getvalue()
    digest = _sha256(content)
    label = label or timezone.now().strftime("%Y%m%dT%H%M%S")
    backups = storages["backups"]
    name = backups.save(f"{schema}-{label}.tar", ContentFile(content))
    backups.save(f"{name}.sha256", ContentFile(f"{digest}  {Path(name).name}\n".encode()))
    with schema_context("public"):
        vendor_audit_record(
            town=town, action=VendorAuditEvent.Action.BACKUP, actor_email=actor_email, detail=name
        )
    return TownBackup(name=name, sha256=digest, size=len(content))


# --- Restore --------------------------------------------------------------------------------


def _refused(message: str) -> TownInputInvalid:
    return TownInputInvalid({"archive": [message]})


def _archive_bytes(archive: str) -> tuple[bytes, str | None]:
    """The archive's bytes and its recorded checksum: `archive` names a file of the backups
    storage, or a local file (its checksum then in `ARCHIVE.sha256` beside it, if there)."""
    backups = storages["backups"]
    if os.path.isfile(archive):
        content = Path(archive).read_bytes()
        sidecar_path = Path(f"{archive}.sha256")
        recorded = sidecar_path.read_text() if sidecar_path.is_file() else None
    elif backups.exists(archive):
        with backups.open(archive, "rb") as stored:
            content = stored.read()
        sidecar = f"{archive}.sha256"
        recorded = backups.open(sidecar).read().decode() if backups.exists(sidecar) else None
    else:
        raise _refused(_("No backup is named “%(name)s”.") % {"name": archive})
    return content, (recorded.split()[0] if recorded else None)


def _members_checked(
    content: bytes, recorded: str | None
) -> tuple[dict[str, Any], dict[str, bytes]]:
    if recorded is not None and _sha256(content) != recorded:
        raise _refused(_("The backup does not match its checksum: it is damaged."))
    try:
        with tarfile.open(fileobj=io.BytesIO(content), mode="r:") as archive:
            members = {
                info.name: archive.extractfile(info).read()  # type: ignore[union-attr]
                for info in archive.getmembers()
                if info.isfile()
            }
        manifest = json.loads(members.pop("manifest.json"))
    except (tarfile.TarError, KeyError, ValueError):
        raise _refused(_("This file is not a town backup.")) from None
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise _refused(_("This backup was made by another version of the platform."))
    if {name: _sha256(data) for name, data in members.items()} != manifest["members"]:
        raise _refused(_("The backup does not match its checksum: it is damaged."))
    return manifest, members


# The schema's name where a statement names it: qualified names, quoted ones, and the
# CREATE SCHEMA line. Data lines (between COPY … FROM stdin; and \.) are never rewritten.
def _schema_renamer(old: str, new: str) -> Callable[[str], str]:
    pattern = re.compile(rf"(?<![\w.\"]){re.escape(old)}(?=\.)|(?<=SCHEMA ){re.escape(old)}\b")
    return lambda line: pattern.sub(new, line)


# pg_dump (the wheel's, newer than the server) sets this; servers before 17 do not know it.
_NEWER_SETTINGS = ("SET transaction_timeout ",)


def _statements_renamed(sql: str, old: str, new: str) -> str:
    rename = _schema_renamer(old, new) if old != new else str
    lines, in_data = [], False
    for line in sql.splitlines(keepends=True):
        if in_data:
            in_data = line != "\\.\n"
            lines.append(line)
            continue
        if line.startswith(_NEWER_SETTINGS):
            continue
        lines.append(rename(line))
        in_data = line.startswith("COPY ") and line.rstrip().endswith("FROM stdin;")
    return "".join(lines)


def _schema_load(sql: str) -> None:
    """Run the dump through psql in one transaction: a failure leaves nothing behind."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", encoding="utf-8") as script:
        script.write(sql)
        script.flush()
        done = subprocess.run(  # noqa: S603 - fixed binary, arguments are ours
            [
                pg_binary("psql"),
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--file={script.name}",
            ],
            env=pg_environment(),
            capture_output=True,
            text=True,
        )
    if done.returncode:
        raise _refused(
            _("The backup's data could not be loaded: %(error)s") % {"error": done.stderr[-500:]}
        )


def town_file_columns() -> Iterator[tuple[type[models.Model], str]]:
    """Every model of the towns' schemas with a stored file, and that file's column."""
    tenant_apps = set(settings.TENANT_APPS)
    for model in apps.get_models():
        if model._meta.app_config.name not in tenant_apps or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field.attname


def _file_names_moved(*, old: str, new: str) -> None:
    """Stored names start with the schema (comptoir.storage): point them at the new one."""
    prefix = f"{old}/"
    for model, column in town_file_columns():
        model._default_manager.filter(**{f"{column}__startswith": prefix}).update(
            **{column: Concat(models.Value(f"{new}/"), Substr(column, len(prefix) + 1))}
        )


def _public_rows_restore(payload: bytes, *, old: str, town: Town) -> None:
    """The town's custom domains and audit trail come back only with the town itself: a copy
    answers on its own address, and its history starts with its restore."""
    if old != town.schema_name:
        return
    for item in serializers.deserialize("json", payload):
        row = item.object
        if isinstance(row, Town) or (isinstance(row, Domain) and row.is_primary):
            continue
        row.pk = None
        if isinstance(row, Domain):
            row.tenant = town
        row.save()


def town_restore(*, archive: str, as_slug: str = "", actor_email: str = "") -> Town:
    """Bring a town back from `archive` (a backups storage name or a local file), under its own
    slug or as `as_slug`. Refused with TownInputInvalid, nothing written, when the archive is
    damaged or the slug or schema is taken."""
    manifest, members = _members_checked(*_archive_bytes(archive))
    old = manifest["town"]["schema"]
    slug = as_slug or manifest["town"]["slug"]
    schema = schema_name_for(slug)
    with schema_context("public"):
        if Town.objects.filter(slug=slug).exists() or schema_exists(schema):
            raise slug_taken_error(slug)
        saved_town = next(
            item.object
            for item in serializers.deserialize("json", members["public.json"])
            if isinstance(item.object, Town)
        )
    _schema_load(_statements_renamed(members["schema.sql"].decode(), old, schema))
    try:
        restored = table_fingerprints(schema)
        expected = {
            table: TableFingerprint(rows, checksum)
            for table, (rows, checksum) in manifest["tables"].items()
        }
        if restored != expected:
            raise _refused(_("The restored data differ from the backup's."))
        with schema_context("public"), transaction.atomic():
            town = saved_town
            town.pk = None
            town.slug, town.schema_name = slug, schema
            town.auto_create_schema = False
            for field in (town._meta.get_field("logo"), town._meta.get_field("hero_image")):
                name = getattr(town, field.attname).name
                if name and name.startswith(f"{old}/"):
                    setattr(town, field.attname, f"{schema}/{name[len(old) + 1 :]}")
            town.save()
            Domain.objects.create(domain=town.primary_domain_name, tenant=town, is_primary=True)
            _public_rows_restore(members["public.json"], old=old, town=town)
            vendor_audit_record(
                town=town,
                action=VendorAuditEvent.Action.RESTORE,
                actor_email=actor_email,
                detail=Path(archive).name,
            )
        if old != schema:
            with schema_context(schema):
                _file_names_moved(old=old, new=schema)
    except BaseException:
        with schema_context("public"), connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(schema)} CASCADE")
            Town.objects.filter(schema_name=schema).delete()
        raise
    media = storages["default"]
    with schema_context(schema):  # the storage prefixes names with the current schema
        for name, data in members.items():
            if name.startswith(MEDIA_PREFIX):
                stored = name[len(MEDIA_PREFIX) + len(old) + 1 :]
                media.save(f"{schema}/{stored}", File(io.BytesIO(data)))
    town_routing_forget()
    return town
