"""Migrating every town's schema: towns already at the target skipped by one query, the others
in parallel, one connection per worker, each town reported on its own.

A town's target is the leaf migrations of the tenant apps: a release that only changes the
public schema's tables leaves every town alone. Django records each migration as it applies it,
so a run that stops (a failed town, a timeout, an interrupted job) is resumed by running again:
the towns it finished are at the target and skipped, the others pick up where they stopped.
"""

import functools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.apps import apps as installed_apps
from django.conf import settings
from django.core.management.sql import emit_pre_migrate_signal
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.migration import Migration
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState, ProjectState
from django.db.models.signals import post_migrate
from django_tenants.utils import get_public_schema_name

from comptoir.db import connection
from tenants.migration_worker import worker_start
from tenants.models import Town
from tenants.services.template import migration_graph

Node = tuple[str, str]

# Schemas read per statement by the at-target query. Each schema read takes two locks (its
# django_migrations table and that table's primary key) until the statement ends, and the
# server's lock table holds max_locks_per_transaction × max_connections of them (6,400 by
# default) for every session at once: a few thousand schemas in one statement would exhaust it.
SCHEMAS_PER_QUERY = 1000
# The first half of each town's advisory lock (the second is the hash of its schema's name):
# two runs at once, two release jobs say, never migrate the same town together.
TOWN_MIGRATION_LOCK_CLASS = 0x6D696772
DEFAULT_LOCK_TIMEOUT_SECONDS = 10.0
DEFAULT_STATEMENT_TIMEOUT_SECONDS = 600.0


@dataclass(frozen=True)
class TownPlan:
    """What running the migrations would apply to a town's schema, in order."""

    schema_name: str
    pending: tuple[str, ...]
    # Why nothing can be applied (the schema is missing): the run reports the town as failed.
    error: str = ""


@dataclass(frozen=True)
class TownMigrated:
    """One town's outcome: the migrations applied (in order) and the error that stopped it."""

    schema_name: str
    seconds: float
    applied: tuple[str, ...]
    error: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.error)


@dataclass
class MigrationRun:
    towns: int
    at_target: int
    results: list[TownMigrated] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[TownMigrated]:
        return [result for result in self.results if result.failed]


def _label(node: Node) -> str:
    return f"{node[0]}.{node[1]}"


@functools.cache
def tenant_app_labels() -> frozenset[str]:
    return frozenset(
        config.label
        for config in installed_apps.get_app_configs()
        if config.name in settings.TENANT_APPS
    )


@functools.cache
def tenant_migration_targets() -> tuple[Node, ...]:
    """The leaf migrations of the tenant apps: where every town's schema should be."""
    labels = tenant_app_labels()
    return tuple(node for node in migration_graph().leaf_nodes() if node[0] in labels)


@functools.cache
def tenant_migration_nodes() -> tuple[Node, ...]:
    """Every migration a town's schema holds once at the target (with the shared apps' ones the
    tenant apps depend on), in the order they apply."""
    graph = migration_graph()
    nodes: dict[Node, None] = {}
    for target in tenant_migration_targets():
        nodes.update(dict.fromkeys(graph.forwards_plan(target)))
    return tuple(nodes)


def town_schema_names() -> list[str]:
    """The towns' schemas, in the order they were made (migrate_schemas' own list)."""
    connection.set_schema_to_public()
    return list(
        Town.objects.exclude(schema_name=get_public_schema_name())
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )


def _identifier(name: str) -> str:
    return '"{}"'.format(name.replace('"', '""'))


def _literal(text: str) -> str:
    return "'{}'".format(text.replace("'", "''"))


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _with_migrations_table(schema_names: Sequence[str]) -> set[str]:
    """Which of these schemas hold a django_migrations table: one query on the catalogue."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "WHERE n.nspname = ANY(%s) AND c.relname = 'django_migrations' AND c.relkind = 'r'",
            [list(schema_names)],
        )
        return {name for (name,) in cursor.fetchall()}


_TARGET_CTE = (
    "WITH target(app, name) AS (SELECT * FROM unnest(%(apps)s::text[], %(names)s::text[]))"
)


def _target_params() -> dict[str, list[str]]:
    nodes = tenant_migration_nodes()
    return {"apps": [app for app, _name in nodes], "names": [name for _app, name in nodes]}


def towns_behind(schema_names: Sequence[str]) -> list[str]:
    """The schemas that miss one of the target's migrations, in the order given.

    For each schema, one statement (per SCHEMAS_PER_QUERY schemas) counts which of the target's
    migrations its django_migrations holds: no migration graph is loaded per schema, no
    connection is opened per schema. A schema without that table is behind.
    """
    if not schema_names:
        return []
    connection.set_schema_to_public()
    with_table = _with_migrations_table(schema_names)
    expected = len(tenant_migration_nodes())
    at_target: set[str] = set()
    listed = [name for name in schema_names if name in with_table]
    for chunk in _chunks(listed, SCHEMAS_PER_QUERY):
        selects = [
            f"SELECT {_literal(name)}, count(*) FROM target WHERE EXISTS ("  # noqa: S608
            f"SELECT FROM {_identifier(name)}.django_migrations m "
            "WHERE m.app = target.app AND m.name = target.name)"
            for name in chunk
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"{_TARGET_CTE} " + " UNION ALL ".join(selects), _target_params())
            at_target.update(name for name, count in cursor.fetchall() if count == expected)
    return [name for name in schema_names if name not in at_target]


def _applied_in(schema_names: Sequence[str]) -> dict[str, set[Node]]:
    """The target's migrations each of these schemas holds (schemas with the table only)."""
    applied: dict[str, set[Node]] = {name: set() for name in schema_names}
    for chunk in _chunks(schema_names, SCHEMAS_PER_QUERY):
        selects = [
            f"SELECT {_literal(name)}, m.app, m.name FROM {_identifier(name)}.django_migrations m "  # noqa: S608
            "JOIN target USING (app, name)"
            for name in chunk
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"{_TARGET_CTE} " + " UNION ALL ".join(selects), _target_params())
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))
    return applied


def towns_plan(*, schema_names: Sequence[str] | None = None) -> list[TownPlan]:
    """What a run would apply to each town behind the target, writing nothing.

    Towns at the target are left out.
    """
    names = town_schema_names() if schema_names is None else list(schema_names)
    behind = towns_behind(names)
    with_table = _with_migrations_table(behind) if behind else set()
    applied = _applied_in([name for name in behind if name in with_table])
    existing = _schemas_existing(behind)
    nodes = tenant_migration_nodes()
    return [
        TownPlan(
            schema_name=name,
            pending=tuple(_label(node) for node in nodes if node not in applied.get(name, set())),
        )
        if name in existing
        else TownPlan(schema_name=name, pending=(), error=_missing(name))
        for name in behind
    ]


def public_plan() -> list[str]:
    """The public schema's pending migrations, read without writing (no table is created)."""
    connection.set_schema_to_public()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _missing(schema_name: str) -> str:
    return f'schema "{schema_name}" does not exist'


def _schemas_existing(schema_names: Sequence[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(schema_names)]
        )
        return {name for (name,) in cursor.fetchall()}


# --- One worker ------------------------------------------------------------------------------


@dataclass
class _Worker:
    """A process's migrating state, kept from town to town: its timeouts, one migration executor
    (the migration files are read once), and the project states rendered before and after each
    distinct plan, which the towns of one release share: rendering every model twice is most of
    what a one-migration town would cost otherwise."""

    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT_SECONDS
    executor: MigrationExecutor | None = None
    states: dict[frozenset[Node], ProjectState] = field(default_factory=dict)
    post_apps: dict[tuple[frozenset[Node], tuple[Node, ...]], object] = field(default_factory=dict)


_worker = _Worker()


def migration_worker_start(lock_timeout: float, statement_timeout: float) -> None:
    """A worker's start: in a pool's process (tenants.migration_worker), or in this one."""
    global _worker
    _worker = _Worker(lock_timeout=lock_timeout, statement_timeout=statement_timeout)


def _milliseconds(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"


def _executor_for_town(worker: _Worker, progress: Callable[..., None]) -> MigrationExecutor:
    """The worker's executor, reading the current town's applied migrations."""
    if worker.executor is None:
        worker.executor = MigrationExecutor(connection)
    executor = worker.executor
    executor.progress_callback = progress
    if executor.loader.replacements:
        executor.loader.build_graph()  # which squashed migrations apply depends on the town
    else:
        # The recorder's rows, as build_graph() sets them (django-stubs types them otherwise).
        applied = executor.recorder.applied_migrations()
        executor.loader.applied_migrations = applied  # type: ignore[assignment]
    return executor


def _post_migrate_apps(state: ProjectState) -> object:
    """The rendered apps post_migrate's handlers get, as Django's migrate command builds them."""
    state.clear_delayed_apps_cache()
    post_apps = state.apps
    with post_apps.bulk_update():
        model_keys = []
        for model_state in post_apps.real_models:
            model_key = model_state.app_label, model_state.name_lower
            model_keys.append(model_key)
            post_apps.unregister_model(*model_key)
    post_apps.render_multiple(
        [ModelState.from_model(installed_apps.get_model(*model)) for model in model_keys]
    )
    return post_apps


def _post_migrate_emit(*, apps: object, plan: list[tuple[Migration, bool]]) -> None:
    """post_migrate for the apps the plan migrated, where Django's migrate sends it to every app.

    Its handlers make what a migration of that app may have added (content types and
    permissions of new models); for the other apps they would read two tables per app in
    each town and find nothing to do.
    """
    labels = {migration.app_label for migration, _backwards in plan}
    for app_config in installed_apps.get_app_configs():
        if app_config.models_module is None or app_config.label not in labels:
            continue
        post_migrate.send(
            sender=app_config,
            app_config=app_config,
            verbosity=0,
            interactive=False,
            using=connection.alias,
            apps=apps,
            plan=plan,
        )


def town_migrate(schema_name: str) -> TownMigrated:
    """Bring one town's schema to the target on this process's connection; never raises.

    Each migration commits on its own (PostgreSQL runs each in a transaction), so a failure
    keeps the ones before it and the next run starts from the one that failed.
    """
    worker = _worker
    started = time.perf_counter()
    applied: list[str] = []
    depth = len(connection.atomic_blocks)
    locked = False

    def progress(action: str, migration: Migration | None = None, fake: bool = False) -> None:
        if action == "apply_success" and migration is not None:
            applied.append(f"{migration.app_label}.{migration.name}")

    try:
        if schema_name not in _schemas_existing([schema_name]):
            raise LookupError(_missing(schema_name))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s, hashtext(%s))",
                [TOWN_MIGRATION_LOCK_CLASS, schema_name],
            )
            locked = cursor.fetchone()[0]
        if not locked:
            raise RuntimeError("another run is migrating this town")
        # As django-tenants does: the recorder's table is made in the town's schema, never
        # found in the public one through the search path.
        connection.set_schema(schema_name, include_public=False)
        MigrationRecorder(connection).ensure_schema()
        connection.set_schema(schema_name)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SET lock_timeout = {_literal(_milliseconds(worker.lock_timeout))}; "
                f"SET statement_timeout = {_literal(_milliseconds(worker.statement_timeout))}"
            )
        executor = _executor_for_town(worker, progress)
        executor.loader.check_consistent_history(connection)
        targets = list(tenant_migration_targets())
        plan = executor.migration_plan(targets)
        if plan:
            key = frozenset(executor.loader.applied_migrations)
            if key not in worker.states:
                # As Django's migrate command builds it (the stubs leave this method out).
                pre_state = executor._create_project_state(  # type: ignore[attr-defined]
                    with_applied_migrations=True
                )
                pre_state.apps  # noqa: B018 -- rendered once, cloned for each town
                worker.states[key] = pre_state
            pre_state = worker.states[key]
            for migration, _backwards in plan:
                # pre_migrate's handlers add operations to the plan's migrations (content type
                # renames); the worker's loader keeps them for the next town: start from the file's,
                # as Migration.__init__ does (the stubs call the attribute a class variable).
                migration.operations = list(type(migration).operations)  # type: ignore[misc]
            emit_pre_migrate_signal(0, False, connection.alias, apps=pre_state.apps, plan=plan)
            post_state = executor.migrate(targets, plan=plan, state=pre_state.clone())
            post_key = (key, tuple((m.app_label, m.name) for m, _backwards in plan))
            if post_key not in worker.post_apps:
                worker.post_apps[post_key] = _post_migrate_apps(post_state)
            _post_migrate_emit(apps=worker.post_apps[post_key], plan=plan)
        error = ""
    except Exception as failure:  # reported with the town, the run goes on with the others
        error = f"{type(failure).__name__}: {failure}".strip()
        # A schema editor whose deferred statements fail (a foreign key waiting for its lock)
        # leaves its transaction open: roll it back, so the next town starts clean.
        while len(connection.atomic_blocks) > depth:
            connection.atomic_blocks[-1].__exit__(type(failure), failure, failure.__traceback__)
        if depth == 0 and connection.connection is not None and not connection.is_usable():
            connection.close()  # the server went away: the next town connects anew
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout; RESET statement_timeout")
                if locked:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s, hashtext(%s))",
                        [TOWN_MIGRATION_LOCK_CLASS, schema_name],
                    )
        connection.set_schema_to_public()
    return TownMigrated(
        schema_name=schema_name,
        seconds=time.perf_counter() - started,
        applied=tuple(applied),
        error=error,
    )


# --- A run -----------------------------------------------------------------------------------


def _in_pool(
    schema_names: list[str], *, parallel: int, lock_timeout: float, statement_timeout: float
) -> Iterator[TownMigrated]:
    """Each town in one of `parallel` spawned processes (tenants.migration_worker says why not
    forked), one connection each; the results in the towns' order."""
    if connection.in_atomic_block:
        raise RuntimeError("Towns are migrated in parallel outside any transaction.")
    with ProcessPoolExecutor(
        max_workers=parallel,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=worker_start,
        initargs=(
            os.environ["DJANGO_SETTINGS_MODULE"],
            dict(settings.DATABASES["default"]),
            lock_timeout,
            statement_timeout,
        ),
    ) as pool:
        yield from pool.map(town_migrate, schema_names, chunksize=1)


def _in_process(
    schema_names: Iterable[str], *, lock_timeout: float, statement_timeout: float
) -> Iterator[TownMigrated]:
    # A fresh worker: states rendered by an earlier run may predate a changed migration file.
    migration_worker_start(lock_timeout, statement_timeout)
    for name in schema_names:
        yield town_migrate(name)


def towns_migrate(
    *,
    parallel: int = 1,
    schema_names: Sequence[str] | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT_SECONDS,
    on_result: Callable[[TownMigrated], None] | None = None,
) -> MigrationRun:
    """Bring every town (or the schemas named) to the tenant apps' leaf migrations.

    Towns at the target are skipped without opening a migration executor. The others run in
    `parallel` processes (1: in this process, on its own connection); each waits at most
    `lock_timeout` seconds for a lock and `statement_timeout` for a statement (0: no limit), so
    a town blocked by a long transaction fails alone and is retried on the next run.
    """
    if parallel < 1:
        raise ValueError("parallel must be at least 1")
    started = time.perf_counter()
    names = town_schema_names() if schema_names is None else list(schema_names)
    behind = towns_behind(names)
    run = MigrationRun(towns=len(names), at_target=len(names) - len(behind))
    workers = min(parallel, len(behind))
    if workers > 1:
        results = _in_pool(
            behind,
            parallel=workers,
            lock_timeout=lock_timeout,
            statement_timeout=statement_timeout,
        )
    else:
        results = _in_process(
            behind, lock_timeout=lock_timeout, statement_timeout=statement_timeout
        )
    for result in results:
        run.results.append(result)
        if on_result is not None:
            on_result(result)
    connection.set_schema_to_public()
    run.seconds = time.perf_counter() - started
    return run
