"""The benchmarks (`make bench`): python -m tests.bench

They run on a database of their own, `comptoir_bench` on the server of DATABASE_URL, created and
migrated here. Each benchmark prints its figures beside a baseline measured in the same run and
beside its target; nothing here fails on a figure (tests/bench/test_bench_smoke.py keeps the code
paths working in the test suite).
"""

import os
import platform
import time
import urllib.parse

PROVISIONING_RUNS = 5
ROUTING_TOWNS = 200
ROUTING_REQUESTS = 2000
ROUTING_ROUNDS = 5


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/comptoir")
    name = os.environ.setdefault("BENCH_DATABASE_NAME", "comptoir_bench")
    return urllib.parse.urlparse(url)._replace(path=f"/{name}").geturl()


def main() -> None:
    # Assigned, not defaulted: a developer's shell may hold other settings.
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings.bench"
    from comptoir.devenv import database_ensure

    database_ensure(bench_database_url())

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection, transaction

    from tenants.services.locks import provisioning_lock
    from tenants.services.template import template_schema_ensure
    from tests.bench.provisioning import provisioning_bench, provisioning_report
    from tests.bench.routing import bench_towns_ensure, routing_bench, routing_report

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    with transaction.atomic():
        provisioning_lock()
        template_schema_ensure()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server_version,) = cursor.fetchone()
    print(
        f"Comptoir benchmarks — database {connection.settings_dict['NAME']}, "
        f"PostgreSQL {server_version}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )
    print(flush=True)

    started = time.monotonic()
    print(provisioning_report(provisioning_bench(repetitions=PROVISIONING_RUNS)), flush=True)
    print(f"   ({time.monotonic() - started:.0f} s)\n", flush=True)

    started = time.monotonic()
    towns, made = bench_towns_ensure(count=ROUTING_TOWNS)
    figures = routing_bench(towns=towns, requests=ROUTING_REQUESTS, rounds=ROUTING_ROUNDS)
    print(routing_report(figures, made=made), flush=True)
    print(f"   ({time.monotonic() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
