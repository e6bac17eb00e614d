"""Migrating many towns: `platform_setup --plan` and `--parallel N` (tenants.services.migrations).

The workers have their own connections and commit, so these tests run outside the per-test
transaction on committed towns (Alpha, Beta and a Gamma made here), and put every schema back at
the target afterwards. A town is put behind by unapplying the last migrations of django-axes, a
tenant app whose migrations this project never changes: 0010 creates a table with a foreign key
to axes_accessattempt, 0009 adds a column to it.
"""

import io
from collections.abc import Iterator

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from comptoir.db import connection
from tenants.models import Town
from tenants.services import migrations
from tenants.services.migrations import (
    tenant_migration_nodes,
    towns_behind,
    towns_migrate,
    towns_plan,
)
from tenants.services.provisioning import town_provision
from tests.bench.towns import towns_remove

LAST = "axes.0010_accessattemptexpiration"
BEFORE_LAST = "axes.0009_add_session_hash"
SCHEMAS = ["alpha", "beta", "gamma"]


def axes_back_to(schema_name: str, migration: str) -> None:
    """Unapply axes' migrations after `migration` in one town, and forget the content type the
    last one's model had (and its permissions), so a test sees post_migrate make them again."""
    call_command(
        "migrate_schemas", "axes", migration, schema_name=schema_name, tenant=True,
        interactive=False, verbosity=0,
    )  # fmt: skip
    expiration = "app_label = 'axes' AND model = 'accessattemptexpiration'"
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{schema_name}".auth_permission WHERE content_type_id IN '
            f'(SELECT id FROM "{schema_name}".django_content_type WHERE {expiration})'
        )
        cursor.execute(f'DELETE FROM "{schema_name}".django_content_type WHERE {expiration}')
    connection.set_schema_to_public()


def applied_in(schema_name: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations')
        return {f"{app}.{name}" for app, name in cursor.fetchall()}


def has_table(schema_name: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema_name}".{table}'])
        return bool(cursor.fetchone()[0])


def content_types(schema_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{schema_name}".django_content_type '
            "WHERE app_label = 'axes' AND model = 'accessattemptexpiration'"
        )
        return int(cursor.fetchone()[0])


TARGET = {f"{app}.{name}" for app, name in tenant_migration_nodes()}


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        if not connection.settings_dict["NAME"].startswith("test_"):
            pytest.fail("No test database: run these tests together with a test using `db`.")
        towns_remove(slugs=["gamma"])
        town_provision(name="Gamma", slug="gamma", admin_email="mairie@gamma.test")
        try:
            yield
        finally:
            connection.set_schema_to_public()
            towns_migrate(parallel=1)
            towns_remove(slugs=["gamma"])
            assert set(Town.objects.values_list("slug", flat=True)) == {"alpha", "beta"}
            assert towns_behind(["alpha", "beta"]) == []


def platform_setup(**options: object) -> str:
    out = io.StringIO()
    call_command("platform_setup", stdout=out, **options)
    return out.getvalue()


def test_plan_lists_exactly_the_pending_migrations_and_writes_nothing(committed):
    axes_back_to("alpha", "0009_add_session_hash")
    axes_back_to("gamma", "0008_accessfailurelog")
    before = {name: applied_in(name) for name in SCHEMAS}

    with transaction.atomic():
        output = platform_setup(plan=True)
        with connection.cursor() as cursor:
            # No transaction id: nothing was written, not even a django_migrations table.
            cursor.execute("SELECT txid_current_if_assigned()")
            assert cursor.fetchone() == (None,)

    assert output.splitlines() == [
        "public: at the target",
        "town_template: at the target",
        f"alpha: 1 pending: {LAST}",
        f"gamma: 2 pending: {BEFORE_LAST}, {LAST}",
        "2 of 3 towns behind the target.",
    ]
    assert [(plan.schema_name, plan.pending) for plan in towns_plan(schema_names=SCHEMAS)] == [
        ("alpha", (LAST,)),
        ("gamma", (BEFORE_LAST, LAST)),
    ]
    assert {name: applied_in(name) for name in SCHEMAS} == before
    assert TARGET - before["alpha"] == {LAST}
    assert not has_table("gamma", "axes_accessattemptexpiration")


def test_plan_lists_a_schema_without_a_migrations_table_as_wholly_pending(committed):
    with connection.cursor() as cursor:
        cursor.execute('DROP TABLE "gamma".django_migrations')

    (plan,) = towns_plan(schema_names=SCHEMAS)

    assert plan.schema_name == "gamma"
    assert set(plan.pending) == TARGET and len(plan.pending) == len(TARGET)
    assert not has_table("gamma", "django_migrations")
    # Put back as it was (the tables are all there): recorded, not replayed.
    call_command(
        "migrate_schemas", schema_name="gamma", tenant=True, fake=True, interactive=False,
        verbosity=0,
    )  # fmt: skip
    connection.set_schema_to_public()


class Locks:
    """Exclusive locks on towns' axes_accessattempt held from other sessions, as a long
    transaction would hold them, until released."""

    def __init__(self) -> None:
        self.sessions: list[psycopg.Connection] = []

    def _session(self) -> psycopg.Connection:
        settings = connection.settings_dict
        other = psycopg.connect(
            host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
            password=settings["PASSWORD"] or None, dbname=settings["NAME"],
        )  # fmt: skip
        self.sessions.append(other)
        return other

    def hold(self, schema_name: str) -> None:
        other = self._session()
        other.execute(f'LOCK TABLE "{schema_name}".axes_accessattempt IN ACCESS EXCLUSIVE MODE')

    def hold_town_migration(self, schema_name: str) -> None:
        """As another platform_setup run migrating that town would."""
        other = self._session()
        other.execute(
            "SELECT pg_advisory_lock(%s, hashtext(%s))",
            [migrations.TOWN_MIGRATION_LOCK_CLASS, schema_name],
        )
        other.commit()  # a session lock: it outlives the transaction

    def release(self) -> None:
        for other in self.sessions:
            other.rollback()
            other.close()
        self.sessions.clear()


@pytest.fixture
def locks() -> Iterator[Locks]:
    held = Locks()
    yield held
    held.release()


def test_a_blocked_town_fails_alone_and_is_the_only_one_migrated_next_time(committed, locks):
    for name in SCHEMAS:
        axes_back_to(name, "0009_add_session_hash")
    locks.hold("beta")

    with pytest.raises(CommandError) as refused:
        platform_setup(parallel=2, lock_timeout=0.5)

    assert "1 towns failed" in str(refused.value) and "beta" in str(refused.value)
    assert towns_behind(SCHEMAS) == ["beta"]
    assert LAST in applied_in("alpha") and LAST in applied_in("gamma")
    assert LAST not in applied_in("beta") and not has_table("beta", "axes_accessattemptexpiration")

    # The lock is gone (the blocking transaction ended): the next run does only Beta.
    locks.release()
    run = towns_migrate(parallel=2, schema_names=SCHEMAS)

    assert (run.towns, run.at_target) == (3, 2)
    assert [(result.schema_name, result.applied, result.error) for result in run.results] == [
        ("beta", (LAST,), "")
    ]
    assert towns_behind(SCHEMAS) == []


def test_the_failure_is_reported_with_the_town_its_time_and_what_it_applied(committed, locks):
    axes_back_to("beta", "0008_accessfailurelog")
    locks.hold("beta")
    reported = []

    run = towns_migrate(
        parallel=1, schema_names=SCHEMAS, lock_timeout=0.5, on_result=reported.append
    )

    (result,) = run.results
    assert reported == [result]
    assert result.schema_name == "beta" and result.failed
    # 0009 only adds a column, 0010 is the one that needs the locked table for its foreign key.
    assert result.applied == (BEFORE_LAST,)
    assert "lock timeout" in result.error
    assert 0.5 <= result.seconds < 30
    assert TARGET - applied_in("beta") == {LAST}


def test_towns_at_the_target_are_skipped_without_a_migration_executor(committed, monkeypatch):
    opened: list[str] = []
    real_executor = migrations.MigrationExecutor

    def counted(*args: object, **kwargs: object) -> object:
        opened.append(connection.schema_name)
        return real_executor(*args, **kwargs)

    monkeypatch.setattr(migrations, "MigrationExecutor", counted)
    axes_back_to("gamma", "0009_add_session_hash")

    run = towns_migrate(parallel=1, schema_names=SCHEMAS)

    assert opened == ["gamma"]
    assert (run.towns, run.at_target, [result.schema_name for result in run.results]) == (
        3,
        2,
        ["gamma"],
    )
    opened.clear()
    with CaptureQueriesContext(connection) as queries:
        again = towns_migrate(parallel=4)
    assert opened == [] and again.results == [] and again.at_target == again.towns == 3
    # The towns' list, the catalogue (which schemas have the table), the count: whatever the
    # number of towns (django-tenants sets the search path before each).
    statements = [query["sql"] for query in queries.captured_queries]
    assert len([sql for sql in statements if not sql.startswith("SET search_path")]) == 3
    assert len(statements) == 6


def test_a_parallel_run_leaves_every_schema_at_the_leaf_nodes(committed):
    for name, migration in zip(
        SCHEMAS,
        [
            "0009_add_session_hash",
            "0008_accessfailurelog",
            "0007_alter_accessattempt_unique_together",
        ],
        strict=True,
    ):
        axes_back_to(name, migration)
    assert towns_behind(SCHEMAS) == SCHEMAS

    output = platform_setup(parallel=2)

    for name in SCHEMAS:
        assert applied_in(name) >= TARGET
        assert has_table(name, "axes_accessattemptexpiration")
        # post_migrate ran in the town's schema: the new model has its content type again.
        assert content_types(name) == 1
    assert towns_behind(SCHEMAS) == []
    lines = output.splitlines()
    assert lines[0].startswith("alpha: ") and lines[0].endswith(f"applied {LAST}")
    assert lines[2].startswith("gamma: ") and "axes.0008_accessfailurelog" in lines[2]
    assert lines[3].startswith("3 towns: 0 at the target, 3 migrated, 0 failed, in ")
    assert lines[4] == "Template schema up to date."
    assert connection.schema_name == "public"


def test_without_flags_platform_setup_still_runs_migrate_schemas(committed, monkeypatch):
    axes_back_to("alpha", "0009_add_session_hash")

    with monkeypatch.context() as patched:
        patched.setattr(migrations, "towns_behind", lambda names: pytest.fail("parallel path"))
        output = platform_setup()

    assert output == "Template schema up to date.\n"
    assert applied_in("alpha") >= TARGET


def test_a_town_another_run_is_migrating_is_left_to_it(committed, locks):
    axes_back_to("alpha", "0009_add_session_hash")
    axes_back_to("beta", "0009_add_session_hash")
    locks.hold_town_migration("alpha")

    run = towns_migrate(parallel=2, schema_names=SCHEMAS)

    assert [(result.schema_name, result.applied, result.error) for result in run.results] == [
        ("alpha", (), "RuntimeError: another run is migrating this town"),
        ("beta", (LAST,), ""),
    ]
    assert towns_behind(SCHEMAS) == ["alpha"]
    locks.release()
    assert [result.schema_name for result in towns_migrate(parallel=1).results] == ["alpha"]
