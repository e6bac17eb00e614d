"""Benchmark: migrating many towns. python -m tests.bench.migrations [--towns 500] [--parallel 2,4]

On a database of its own (`comptoir_bench_migrations` on the server of DATABASE_URL) it makes
`--towns` town schemas by cloning the template (kept for the next run), then times, over all of
them:

- a no-op run, every town at the target: django-tenants' migrate_schemas (standard executor,
  one executor and migrate command per town) against ours (one query, no executor);
- one pending migration adding a nullable column: migrate_schemas with the standard executor,
  with django-tenants' multiprocessing executor (N processes), and ours with 1 and N processes.

The pending migration belongs to a small tenant app made in a temporary directory for the run
(`bench_probe`, one table): its 0001 is in the template and so in every town, its 0002 is written
when the towns exist. Between two runs the column and 0002's record are removed by SQL, so each
executor starts from the same state. Figures only: nothing here fails on a number.
"""

import argparse
import os
import platform
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.bench.__main__ import bench_database_url

APP_LABEL = "bench_probe"
PENDING = "0002_probe_note"
PREFIX = "mb"
NO_OP_TARGET = 10.0

_APP_FILES = {
    "__init__.py": "",
    "apps.py": """
        from django.apps import AppConfig


        class BenchProbeConfig(AppConfig):
            name = "bench_probe"
            label = "bench_probe"
            default_auto_field = "django.db.models.BigAutoField"
    """,
    "models.py": """
        from django.db import models


        class Probe(models.Model):
            note = models.CharField(max_length=40, null=True)

            class Meta:
                app_label = "bench_probe"
    """,
    "migrations/__init__.py": "",
    "migrations/0001_initial.py": """
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Probe",
                    fields=[("id", models.BigAutoField(primary_key=True, serialize=False))],
                ),
            ]
    """,
}
_PENDING_FILE = """
    from django.db import migrations, models


    class Migration(migrations.Migration):
        dependencies = [("bench_probe", "0001_initial")]
        operations = [
            migrations.AddField(
                model_name="probe", name="note", field=models.CharField(max_length=40, null=True)
            ),
        ]
"""


def _probe_app_write(root: Path) -> Path:
    package = root / APP_LABEL
    (package / "migrations").mkdir(parents=True)
    for name, text in _APP_FILES.items():
        (package / name).write_text(textwrap.dedent(text))
    return package


def _settings_prepare(root: Path) -> None:
    """The bench settings with the probe app installed as a tenant app, before Django starts."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings.bench"
    os.environ.setdefault("BENCH_DATABASE_NAME", "comptoir_bench_migrations")
    # Through the environment and sys.path, which the pool's spawned processes inherit.
    os.environ["BENCH_PROBE_APP"] = APP_LABEL
    sys.path.insert(0, str(root))


def _graph_forget() -> None:
    """Drop what this process cached of the migrations on disk, after a file was added."""
    import importlib

    from tenants.services import migrations, template

    importlib.invalidate_caches()
    for cached in (
        template.migration_graph,
        template.migrations_on_disk,
        template.migrations_fingerprint,
        migrations.tenant_migration_targets,
        migrations.tenant_migration_nodes,
    ):
        cached.cache_clear()


def bench_towns_make(count: int) -> tuple[list[str], float]:
    """`count` towns cloned from the template, reusing those of an earlier run whose schema is
    at the target. Returns their schemas and the seconds per clone made (0 if none)."""
    from django.db import transaction

    from tenants.models import Town
    from tenants.services.migrations import towns_behind
    from tenants.services.template import template_schema_clone
    from tests.bench.towns import schemas_named, towns_remove

    slugs = [f"{PREFIX}-{number:05d}" for number in range(1, count + 1)]
    schemas = [slug.replace("-", "_") for slug in slugs]
    kept = set(Town.objects.filter(slug__in=slugs).values_list("schema_name", flat=True))
    present = schemas_named(kept)
    stale = set(towns_behind([name for name in schemas if name in present])) | (kept - present)
    towns_remove(slugs=[name.replace("_", "-") for name in stale])
    to_make = [name for name in schemas if name in stale or name not in kept]
    started = time.perf_counter()
    for done, schema_name in enumerate(to_make, 1):
        # One transaction per town: a clone takes a lock on each relation it makes.
        with transaction.atomic():
            template_schema_clone(schema_name=schema_name)
            Town.objects.bulk_create(
                [Town(name=f"Banc {schema_name}", slug=schema_name.replace("_", "-"),
                      schema_name=schema_name)]
            )  # fmt: skip
        if done % 100 == 0:
            print(f"   … {done} of {len(to_make)} towns cloned", flush=True)
    seconds = (time.perf_counter() - started) / len(to_make) if to_make else 0.0
    return schemas, seconds


def pending_undo(schemas: Sequence[str]) -> None:
    """Put every town back before the pending migration: its column and its record removed."""
    from django.db import transaction

    from comptoir.db import connection

    for start in range(0, len(schemas), 100):
        with transaction.atomic(), connection.cursor() as cursor:
            for name in schemas[start : start + 100]:
                cursor.execute(
                    f'ALTER TABLE "{name}".bench_probe_probe DROP COLUMN IF EXISTS note; '
                    f'DELETE FROM "{name}".django_migrations '
                    f"WHERE app = '{APP_LABEL}' AND name = '{PENDING}'"
                )


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _migrate_schemas(executor: str, processes: int = 1) -> Callable[[], object]:
    from django.core.management import call_command
    from django.test import override_settings

    def run() -> None:
        with override_settings(TENANT_MULTIPROCESSING_MAX_PROCESSES=processes):
            call_command(
                "migrate_schemas", tenant=True, executor=executor, interactive=False, verbosity=0
            )

    return run


def _ours(parallel: int) -> Callable[[], object]:
    from tenants.services.migrations import towns_migrate

    def run() -> None:
        result = towns_migrate(parallel=parallel)
        if result.failed:
            raise RuntimeError(f"{len(result.failed)} towns failed: {result.failed[0]}")

    return run


def _all_at_target(schemas: Sequence[str]) -> None:
    from tenants.services.migrations import towns_behind

    behind = towns_behind(schemas)
    if behind:
        raise RuntimeError(f"{len(behind)} towns behind after the run, {behind[0]} first")


def catalogue_size(schema_name: str) -> tuple[int, int, int]:
    """The catalogue's bytes, the number of schemas in the database, and the relations (tables,
    indexes, sequences) of one town's schema."""
    from comptoir.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r'"
        )
        (size,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_namespace")
        (schemas,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = %s::regnamespace", [schema_name]
        )
        (relations,) = cursor.fetchone()
    return int(size), int(schemas), int(relations)


def _per_town(seconds: float, towns: int) -> str:
    return f"{seconds * 1000 / towns:7.1f} ms/town"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=500)
    parser.add_argument("--parallel", default="2,4", help="process counts, comma-separated")
    parser.add_argument(
        "--skip-no-op", action="store_true", help="leave out the no-op run (minutes per 500 towns)"
    )
    options = parser.parse_args(argv)
    counts = [int(number) for number in options.parallel.split(",")]

    root = Path(tempfile.mkdtemp(prefix="comptoir-bench-probe-"))
    package = _probe_app_write(root)
    _settings_prepare(root)
    from comptoir.devenv import database_ensure

    database_ensure(bench_database_url())
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from comptoir.db import connection
    from tenants.services.locks import provisioning_lock
    from tenants.services.template import template_schema_ensure

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    with transaction.atomic():
        provisioning_lock()
        template_schema_ensure()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server_version,) = cursor.fetchone()
    print(
        f"Migrating many towns — database {connection.settings_dict['NAME']}, PostgreSQL "
        f"{server_version}, Python {platform.python_version()}, {os.cpu_count()} CPUs",
        flush=True,
    )
    empty_size, empty_schemas, _relations = catalogue_size("public")
    schemas, clone_seconds = bench_towns_make(options.towns)
    towns = len(schemas)
    size, namespaces, relations = catalogue_size(schemas[0])
    print(
        f"\n{towns} towns"
        + (f" ({clone_seconds * 1000:.0f} ms per clone made)" if clone_seconds else " (kept)"),
        flush=True,
    )
    made = namespaces - empty_schemas
    print(
        f"   catalogue: {size / 2**20:.0f} MiB for {namespaces} schemas, "
        f"{size / namespaces / 1024:.0f} KiB per schema"
        + (f", {(size - empty_size) / made / 1024:.0f} KiB per town made now" if made else "")
        + f"; {relations} relations in a town's schema",
        flush=True,
    )
    if not options.skip_no_op:
        print("\nNo-op run (every town at the target):", flush=True)
        no_op_theirs = _timed(_migrate_schemas("standard"))
        no_op_ours = _timed(_ours(parallel=max(counts)))
        print(
            f"   migrate_schemas, standard        {no_op_theirs:8.2f} s  {_per_town(no_op_theirs, towns)}"
        )
        print(
            f"   ours (one query)                 {no_op_ours:8.2f} s  {_per_town(no_op_ours, towns)}"
        )
        speed_up = no_op_theirs / no_op_ours
        verdict = "met" if speed_up >= NO_OP_TARGET else "NOT MET"
        print(f"   {speed_up:.0f}× faster (target ≥ {NO_OP_TARGET:.0f}×: {verdict})", flush=True)

    (package / "migrations" / f"{PENDING}.py").write_text(textwrap.dedent(_PENDING_FILE))
    _graph_forget()
    # Ours first: on a busy machine the slow runs may not finish in the time one has.
    runs: list[tuple[str, Callable[[], object]]] = [
        (f"ours, {n} process{'es' if n > 1 else ''}", _ours(n)) for n in [1, *counts]
    ]
    runs += [("migrate_schemas, standard", _migrate_schemas("standard"))]
    runs += [
        (f"migrate_schemas, multiprocessing {n}", _migrate_schemas("multiprocessing", n))
        for n in counts
    ]
    print(f"\nOne pending migration ({APP_LABEL}.{PENDING}: a nullable column):", flush=True)
    figures: dict[str, float] = {}
    for label, run in runs:
        pending_undo(schemas)
        figures[label] = seconds = _timed(run)
        _all_at_target(schemas)
        print(f"   {label:<33}{seconds:8.2f} s  {_per_town(seconds, towns)}", flush=True)
    standard = figures["migrate_schemas, standard"]
    print("   against the standard executor:", flush=True)
    for label, seconds in figures.items():
        print(f"   {label:<33}{standard / seconds:5.1f}×", flush=True)
    # The bench database stays at the target with 0002 recorded; the next run writes it again.


if __name__ == "__main__":
    main()
