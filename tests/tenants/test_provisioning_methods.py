"""Cloning the template, renaming a spare and replaying migrations build the same schema."""

import re
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max
from django_tenants.utils import schema_context

from tenants.services import template
from tenants.services.provisioning import ProvisioningMethod, town_provision
from tenants.services.spares import spare_pool_empty, spare_pool_refill
from tenants.services.template import TEMPLATE_SCHEMA, template_schema_clone, template_schema_ensure


def _rows(sql: str, params: list[Any]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def schema_snapshot(schema_name: str) -> dict[str, object]:
    """The schema's structure as the catalogue sees it, with its own name taken out."""
    own_name = re.compile(rf"\b{re.escape(schema_name)}\.")

    def normalised(text: object) -> object:
        return own_name.sub("<schema>.", text) if isinstance(text, str) else text

    tables = _rows(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s",
        [schema_name],
    )
    columns = _rows(
        """
        SELECT table_name, column_name,
               -- Order, not attnum: a column dropped by a migration leaves a gap a clone has not.
               rank() OVER (PARTITION BY table_name ORDER BY ordinal_position),
               data_type, udt_name,
               character_maximum_length, numeric_precision, numeric_scale, is_nullable,
               column_default, is_identity, identity_generation, is_generated
        FROM information_schema.columns WHERE table_schema = %s
        """,
        [schema_name],
    )
    indexes = _rows(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
        [schema_name],
    )
    constraints = _rows(
        """
        SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
               con.condeferrable, con.condeferred, con.convalidated
        FROM pg_constraint con
        JOIN pg_class rel ON rel.oid = con.conrelid
        JOIN pg_namespace ns ON ns.oid = rel.relnamespace
        WHERE ns.nspname = %s
        """,
        [schema_name],
    )
    sequences = _rows(
        """
        SELECT sequencename, data_type::text, start_value, increment_by, max_value, last_value
        FROM pg_sequences WHERE schemaname = %s
        """,
        [schema_name],
    )
    other_objects = _rows(
        """
        SELECT 'function', proname FROM pg_proc WHERE pronamespace = %s::regnamespace
        UNION ALL
        SELECT 'trigger', tgname FROM pg_trigger JOIN pg_class c ON c.oid = tgrelid
            WHERE c.relnamespace = %s::regnamespace AND NOT tgisinternal
        UNION ALL
        SELECT 'relation ' || relkind::text, relname FROM pg_class
            WHERE relnamespace = %s::regnamespace AND relkind NOT IN ('r', 'i', 'S')
        """,
        [schema_name] * 3,
    )
    migrations = _rows(
        f'SELECT app, name FROM "{schema_name}".django_migrations',
        [],
    )
    content_types = _rows(
        f'SELECT id, app_label, model FROM "{schema_name}".django_content_type',
        [],
    )
    permissions = _rows(
        f'SELECT content_type_id, codename FROM "{schema_name}".auth_permission',
        [],
    )
    return {
        "tables": sorted(tables),
        "columns": sorted(tuple(normalised(v) for v in row) for row in columns),
        "indexes": sorted(tuple(normalised(v) for v in row) for row in indexes),
        "constraints": sorted(tuple(normalised(v) for v in row) for row in constraints),
        "sequences": sorted(sequences),
        "other_objects": sorted(other_objects),
        "migrations": sorted(migrations),
        "content_types": sorted(content_types),
        "permissions": sorted(permissions),
    }


@pytest.fixture
def general_clones(monkeypatch) -> list[str]:
    """The schemas cloned by django-tenants' general clone function instead of the fast one."""
    cloned: list[str] = []
    general_clone = template._general_clone

    def recording(*, schema_name: str) -> None:
        cloned.append(schema_name)
        general_clone(schema_name=schema_name)

    monkeypatch.setattr(template, "_general_clone", recording)
    return cloned


def test_clone_pool_and_migrate_build_identical_schemas(db, general_clones):
    spare_pool_empty()
    migrated = town_provision(
        name="Migrée", slug="migree", admin_email="m@m.test", method=ProvisioningMethod.MIGRATE
    )
    cloned = town_provision(
        name="Clonée", slug="clonee", admin_email="c@c.test", method=ProvisioningMethod.CLONE
    )
    spare_pool_refill(size=1)
    pooled = town_provision(
        name="Puisée", slug="puisee", admin_email="p@p.test", method=ProvisioningMethod.POOL
    )

    snapshots = {t.slug: schema_snapshot(t.schema_name) for t in (migrated, cloned, pooled)}

    assert ("accounts_user", "BASE TABLE") in snapshots["migree"]["tables"]
    for part in snapshots["migree"]:
        assert snapshots["clonee"][part] == snapshots["migree"][part], part
        assert snapshots["puisee"][part] == snapshots["migree"][part], part
    assert general_clones == []


def test_a_town_made_by_clone_takes_new_rows_after_the_template_ones(db):
    """The copied sequences continue after the copied rows: nothing collides."""
    town = town_provision(
        name="Clonée", slug="clonee", admin_email="c@c.test", method=ProvisioningMethod.CLONE
    )

    with schema_context(town.schema_name):
        content_type = ContentType.objects.create(app_label="tests", model="newcomer")
        migration = MigrationRecorder.Migration.objects.create(app="tests", name="0001_x")

        assert content_type.pk == ContentType.objects.aggregate(Max("pk"))["pk__max"]
        assert migration.pk == MigrationRecorder.Migration.objects.aggregate(Max("pk"))["pk__max"]


def test_a_template_holding_more_than_tables_is_cloned_whole(db, general_clones):
    """A migration may one day add a function, a view or a trigger: the fast clone does not
    copy those, so such a template goes through django-tenants' general clone function."""
    template_schema_ensure()
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE FUNCTION "{TEMPLATE_SCHEMA}".answer() RETURNS integer '
            "LANGUAGE sql AS 'SELECT 42'"
        )

    template_schema_clone(schema_name="gamma")

    assert general_clones == ["gamma"]
    expected = schema_snapshot(TEMPLATE_SCHEMA)
    assert ("function", "answer") in expected["other_objects"]
    assert schema_snapshot("gamma") == expected
    with connection.cursor() as cursor:
        cursor.execute('SELECT "gamma".answer()')
        assert cursor.fetchone() == (42,)
