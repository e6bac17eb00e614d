"""The template schema every new town is cloned from, kept at the latest migrations."""

import functools
import hashlib
from typing import NamedTuple

from django.conf import settings
from django.core.management import call_command
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.utils import quote_schema_name, schema_exists

from comptoir.db import connection

TEMPLATE_SCHEMA = settings.TENANT_BASE_SCHEMA


@functools.cache
def migration_graph() -> MigrationGraph:
    """Every app's migrations as found on disk, read once per process."""
    return MigrationLoader(None, ignore_no_migrations=True).graph


@functools.cache
def migrations_on_disk() -> set[tuple[str, str]]:
    return set(migration_graph().nodes)


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


def _identifier(name: str) -> str:
    return '"{}"'.format(name.replace('"', '""'))


def _literal(text: str) -> str:
    return "'{}'".format(text.replace("'", "''"))


# What a schema holds, found through pg_depend's index rather than by scanning pg_class, which
# lists every town's tables: its relations, and whether it holds anything but tables, their
# indexes and their identity sequences (functions, views, triggers, types, comments…).
_INVENTORY_SQL = """
    WITH members AS (
        SELECT d.classid, d.objid FROM pg_depend d
        WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = %(namespace)s
        AND d.deptype = 'n'
    ), relations AS (
        SELECT c.oid, c.relkind, c.relispartition
        FROM members m JOIN pg_class c ON c.oid = m.objid
        WHERE m.classid = 'pg_class'::regclass
    ), tables AS (
        SELECT oid FROM relations WHERE relkind = 'r'
    )
    SELECT
        EXISTS (SELECT FROM members WHERE classid <> 'pg_class'::regclass)
        OR EXISTS (SELECT FROM relations WHERE relkind NOT IN ('r', 'S') OR relispartition)
        OR EXISTS (
            SELECT FROM relations s WHERE s.relkind = 'S' AND NOT EXISTS (
                SELECT FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype = 'i'
            )
        )
        OR EXISTS (
            SELECT FROM pg_trigger t JOIN tables ON t.tgrelid = tables.oid
            WHERE NOT t.tgisinternal
        )
        OR EXISTS (SELECT FROM pg_policy p JOIN tables ON p.polrelid = tables.oid)
        OR EXISTS (SELECT FROM pg_rewrite r JOIN tables ON r.ev_class = tables.oid)
        OR EXISTS (SELECT FROM pg_statistic_ext x JOIN tables ON x.stxrelid = tables.oid)
        OR EXISTS (
            SELECT FROM pg_description d JOIN tables ON d.objoid = tables.oid
            WHERE d.classoid = 'pg_class'::regclass AND d.objsubid = 0
        ),
        ARRAY(SELECT oid FROM tables ORDER BY oid),
        ARRAY(SELECT oid FROM relations WHERE relkind = 'S' ORDER BY oid)
"""
# Tables, oldest first, with the columns their rows are copied by (generated ones are computed).
_TABLES_SQL = """
    SELECT c.relname, array_agg(a.attname ORDER BY a.attnum)
    FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        AND a.attgenerated = ''
    WHERE c.oid = ANY(%s::oid[])
    GROUP BY c.oid, c.relname ORDER BY c.oid
"""
# Constraints made with an index or pointing elsewhere (LIKE copies CHECK and NOT NULL).
_CONSTRAINTS_SQL = """
    SELECT c.relname, con.conname, pg_get_constraintdef(con.oid), con.contype = 'f'
    FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
    WHERE con.conrelid = ANY(%s::oid[]) AND con.contype IN ('p', 'u', 'x', 'f')
    ORDER BY con.contype = 'f', con.oid
"""
# Indexes that no constraint made, as CREATE INDEX statements on the template's tables.
_INDEXES_SQL = """
    SELECT pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = ANY(%s::oid[])
    AND NOT EXISTS (
        SELECT FROM pg_constraint con
        WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
        AND con.contype IN ('p', 'u', 'x')
    )
    ORDER BY i.indexrelid
"""
# Sequences with their type: LIKE makes every copied identity sequence a bigint one.
_SEQUENCES_SQL = """
    SELECT s.relname, format_type(q.seqtypid, NULL)
    FROM pg_class s JOIN pg_sequence q ON q.seqrelid = s.oid
    WHERE s.oid = ANY(%s::oid[])
    ORDER BY s.oid
"""


class _Inventory(NamedTuple):
    quoted_name: str
    has_other_objects: bool
    tables: list[int]
    sequences: list[int]


def _inventory(schema_name: str) -> _Inventory:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT oid, quote_ident(nspname) FROM pg_namespace WHERE nspname = %s", [schema_name]
        )
        namespace, quoted_name = cursor.fetchone()
        cursor.execute(_INVENTORY_SQL, {"namespace": namespace})
        has_other_objects, tables, sequences = cursor.fetchone()
    return _Inventory(quoted_name, has_other_objects, tables, sequences)


def _rows(sql: str, oids: list[int]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [oids])
        return cursor.fetchall()


def _clone_statements(*, source: str, target: str) -> list[str] | None:
    """The SQL that copies `source` into a new schema `target`, or None if `source` holds more
    than tables, indexes and identity sequences.

    Every catalogue read goes through an index, from this one schema: the cost does not grow
    with the number of towns, where the general clone function's information_schema queries
    take seconds once a database holds a few dozen towns. Constraints and indexes keep their
    names, and sequences their type and position, so the copy is the schema migrations would
    have built.
    """
    inventory = _inventory(source)
    if inventory.has_other_objects:
        return None
    tables = _rows(_TABLES_SQL, inventory.tables)
    constraints = _rows(_CONSTRAINTS_SQL, inventory.tables)
    indexes = [definition for (definition,) in _rows(_INDEXES_SQL, inventory.tables)]
    sequences = _rows(_SEQUENCES_SQL, inventory.sequences)
    source_quoted = inventory.quoted_name
    src, new = _identifier(source), _identifier(target)
    statements = [f"CREATE SCHEMA {new}"]
    for table, _columns in tables:
        statements.append(
            f"CREATE TABLE {new}.{_identifier(table)} "
            f"(LIKE {src}.{_identifier(table)} INCLUDING ALL EXCLUDING INDEXES)"
        )
    # Rows before indexes and foreign keys: cheaper to load, and checked once at the end.
    for table, columns in tables:
        names = ", ".join(_identifier(column) for column in columns)
        statements.append(
            f"INSERT INTO {new}.{_identifier(table)} ({names}) OVERRIDING SYSTEM VALUE "  # noqa: S608
            f"SELECT {names} FROM {src}.{_identifier(table)}"
        )
    # pg_catalog prints a name qualified when its schema is not on the search path, which the
    # template's never is (the clone runs in the public schema): replace that qualifier only.
    for table, name, definition, is_foreign_key in constraints:
        if is_foreign_key:
            definition = definition.replace(f"REFERENCES {source_quoted}.", f"REFERENCES {new}.")
        statements.append(
            f"ALTER TABLE {new}.{_identifier(table)} "
            f"ADD CONSTRAINT {_identifier(name)} {definition}"
        )
    for definition in indexes:
        statements.append(definition.replace(f" ON {source_quoted}.", f" ON {new}.", 1))
    # LIKE names each identity sequence as migrations did (<table>_<column>_seq); a name it
    # chose otherwise fails here loudly rather than leaving the clone different.
    for sequence, data_type in sequences:
        if data_type != "bigint":
            statements.append(f"ALTER SEQUENCE {new}.{_identifier(sequence)} AS {data_type}")
        statements.append(
            f"SELECT setval({_literal(f'{new}.{_identifier(sequence)}')}, last_value, is_called) "  # noqa: S608
            f"FROM {src}.{_identifier(sequence)}"
        )
    return statements


# Unique constraints of a schema by table and definition, oldest first so duplicates pair up.
_UNIQUE_CONSTRAINTS_SQL = """
    SELECT rel.relname, pg_get_constraintdef(con.oid), con.conname
    FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
    WHERE rel.relnamespace = %s::regnamespace AND con.contype = 'u'
    ORDER BY rel.relname, pg_get_constraintdef(con.oid), con.oid
"""


def _unique_constraints(schema_name: str) -> dict[tuple[str, str], list[str]]:
    constraints: dict[tuple[str, str], list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_UNIQUE_CONSTRAINTS_SQL, [schema_name])
        for table, definition, name in cursor.fetchall():
            constraints.setdefault((table, definition), []).append(name)
    return constraints


def _general_clone(*, schema_name: str) -> None:
    """django-tenants' clone function, for templates holding functions, views, triggers…

    It re-creates tables with CREATE TABLE … (LIKE … INCLUDING ALL), which names unique
    constraints after PostgreSQL's defaults instead of the names migrations gave them (a later
    migration removing one by name would then fail in the clones only) and makes every identity
    sequence a bigint one. Both are put back as in the template.
    """
    CloneSchema().clone_schema(TEMPLATE_SCHEMA, schema_name, "DATA")
    wanted = _unique_constraints(TEMPLATE_SCHEMA)
    target = _identifier(schema_name)
    with connection.cursor() as cursor:
        for key, names in _unique_constraints(schema_name).items():
            for current, original in zip(names, wanted.get(key, []), strict=False):
                if current != original:
                    cursor.execute(
                        f"ALTER TABLE {target}.{_identifier(key[0])} "
                        f"RENAME CONSTRAINT {_identifier(current)} TO {_identifier(original)}"
                    )
        for sequence, data_type in _rows(_SEQUENCES_SQL, _inventory(TEMPLATE_SCHEMA).sequences):
            if data_type != "bigint":
                cursor.execute(f"ALTER SEQUENCE {target}.{_identifier(sequence)} AS {data_type}")


def template_schema_clone(*, schema_name: str) -> None:
    """Copy the template, structure and rows, into a new schema named `schema_name`, inside the
    caller's transaction."""
    connection.set_schema_to_public()
    statements = _clone_statements(source=TEMPLATE_SCHEMA, target=schema_name)
    if statements is None:
        _general_clone(schema_name=schema_name)
        return
    with connection.cursor() as cursor:
        cursor.execute(";\n".join(statements))


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
