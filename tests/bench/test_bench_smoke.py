"""The benchmarks' code paths at tiny sizes, so `make bench` never rots. No timing is asserted.

Like the benchmarks, these commit (provisioning and requests go through their own transactions)
and remove every town they made.
"""

from collections.abc import Iterator

import pytest
from django.db import connection

from tenants.models import SpareSchema, Town
from tests.bench.provisioning import METHODS, provisioning_bench, provisioning_report
from tests.bench.routing import bench_towns_ensure, routing_bench, routing_report
from tests.bench.towns import schemas_named, towns_remove

SMOKE_SLUGS = [f"smoke-bench-{number:03d}" for number in (1, 2, 3)]


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        # pytest-django sets the test database up only if the session holds a `db` test.
        if not connection.settings_dict["NAME"].startswith("test_"):
            pytest.fail("No test database: run these tests together with a test using `db`.")
        towns_remove(slugs=SMOKE_SLUGS)
        try:
            yield
        finally:
            towns_remove(slugs=SMOKE_SLUGS)
            assert set(Town.objects.values_list("slug", flat=True)) == {"alpha", "beta"}


def test_provisioning_bench_runs_and_cleans_up(committed):
    figures = provisioning_bench(repetitions=1, warm_up=False)

    assert set(figures) == set(METHODS)
    assert all(len(timing.seconds) == 1 and timing.median > 0 for timing in figures.values())
    report = provisioning_report(figures)
    for way in ("migrate", "clone", "pool", "baseline", "≤ 1.00 s", "≤ 100 ms"):
        assert way in report
    assert not Town.objects.filter(slug__startswith="bench-").exists()
    assert not SpareSchema.objects.exists()
    assert schemas_named(["bench_migrate_1", "bench_clone_1", "bench_pool_1"]) == set()


def test_routing_bench_runs_and_keeps_its_towns_for_next_time(committed):
    towns, made = bench_towns_ensure(count=3, prefix="smoke-bench")
    figures = routing_bench(towns=towns, requests=12, rounds=2)
    again, made_again = bench_towns_ensure(count=3, prefix="smoke-bench")

    assert [town.slug for town in towns] == SMOKE_SLUGS
    assert (made, made_again) == (3, 0)
    assert [town.pk for town in again] == [town.pk for town in towns]
    assert (figures.towns, figures.requests) == (3, 24)
    assert len(figures.known_us) == 24 and figures.ratio > 0
    report = routing_report(figures, made=made)
    assert "3 towns" in report and "target ≤ 1.2×" in report
    assert connection.schema_name == "public"


def test_routing_bench_remakes_a_town_whose_schema_went_missing(committed):
    towns, _made = bench_towns_ensure(count=2, prefix="smoke-bench")
    with connection.cursor() as cursor:
        cursor.execute('DROP SCHEMA "smoke_bench_002" CASCADE')

    again, made = bench_towns_ensure(count=2, prefix="smoke-bench")

    assert made == 1
    assert again[0].pk == towns[0].pk and again[1].pk != towns[1].pk
    assert schemas_named(["smoke_bench_001", "smoke_bench_002"]) == {
        "smoke_bench_001",
        "smoke_bench_002",
    }


def test_typo_cases_slip_once_and_never_at_the_first_letter():
    from marketplace.catalogue.spelling import typo_distance
    from tests.bench.search_recall import typo_cases

    cases = typo_cases(["fromage", "livre"], positions=10)

    assert {case.kind for case in cases} == {"drop", "swap", "replace"}
    assert all(case.typed[0] == case.word[0] for case in cases)
    assert all(typo_distance(case.typed, case.word) == 1 for case in cases)
    assert sum(case.kind == "drop" for case in cases) == 6 + 4


def test_recall_bench_measures_with_and_without_the_correction(town_a):
    from marketplace.catalogue.services.products import product_create
    from tests.bench.search_recall import Case, catalogue_words, recall_measure, recall_report
    from tests.conftest import inside
    from tests.marketplace.catalogue.conftest import merchant_create

    merchant_a = merchant_create(town_a, name="Chez Paul")
    with inside(town_a):
        product_create(merchant=merchant_a, title="Fromage de chèvre", price_cents=500)
        product_create(merchant=merchant_a, title="Vase", price_cents=500)
        words = catalogue_words()
        recall = recall_measure(
            [Case("fromage", "fromge", "drop"), Case("chèvre", "chèrve", "swap")]
        )

    assert words == ["chèvre", "fromage"]
    assert recall.cases == 2
    # Without the correction, the titles' trigrams find "fromge", not "chèrve".
    assert (recall.share(recall.corrected), recall.share(recall.baseline)) == (1.0, 0.5)
    assert "corrected 100.0%" in recall_report(recall, words=2, products=2)


def test_lighthouse_bench_skips_without_lighthouse_and_names_what_misses(monkeypatch, capsys):
    from tests.bench import lighthouse

    monkeypatch.delenv("LIGHTHOUSE_BIN", raising=False)
    lighthouse.main()
    assert "Lighthouse benchmark skipped: set LIGHTHOUSE_BIN" in capsys.readouterr().out

    table = lighthouse.report(
        {
            "map": lighthouse.Score(89, 100, 2100.0, 320.0, 0.0, ()),
            "product": lighthouse.Score(97, 96, 1200.0, 40.0, 0.27, ("image-alt",)),
        }
    )
    rows = dict(line.split(maxsplit=1) for line in table.splitlines()[1:3])
    assert rows["map"].endswith("performance")
    assert rows["product"].endswith("image-alt")
    assert "0.270" in rows["product"]
