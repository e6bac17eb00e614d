"""The template schema every new town is cloned from, kept at the latest migrations."""

import functools
import hashlib

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import quote_schema_name, schema_exists

TEMPLATE_SCHEMA = settings.TENANT_BASE_SCHEMA


@functools.cache
def migrations_on_disk() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


@functools.cache
def migrations_fingerprint() -> str:
    """A digest of every migration on disk: a clone made under another digest is stale."""
    names = sorted(f"{app}.{name}" for app, name in migrations_on_disk())
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def migrations_applied_in(schema_name: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT app, name FROM {quote_schema_name(schema_name)}.django_migrations"  # noqa: S608
        )
        return {(app, name) for app, name in cursor.fetchall()}


def template_schema_is_current() -> bool:
    if not schema_exists(TEMPLATE_SCHEMA):
        return False
    return migrations_applied_in(TEMPLATE_SCHEMA) >= migrations_on_disk()


def template_schema_ensure() -> bool:
    """Build the template schema, or rebuild it if it missed a migration. True if it was built.

    Callers hold the provisioning lock, so two builds never race.
    """
    if template_schema_is_current():
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(TEMPLATE_SCHEMA)} CASCADE")
        cursor.execute(f"CREATE SCHEMA {quote_schema_name(TEMPLATE_SCHEMA)}")
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=TEMPLATE_SCHEMA,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()
    return True
