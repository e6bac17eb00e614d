"""A committed import writes batch by batch; stopped half-way, run again it carries on after its
last committed batch and adds nothing twice."""

import pytest
from django.core.management import CommandError

from marketplace.directory.models import Merchant
from onboarding.models import RegistryImport, RegistryListing
from onboarding.services import registry as registry_services
from tests.conftest import inside
from tests.onboarding.builders import sirene_file, sirene_row
from tests.onboarding.test_import_registry_command import run

pytestmark = pytest.mark.django_db


def test_a_run_stopped_by_a_failure_resumes_after_its_last_committed_batch(
    town_a, tmp_path, monkeypatch, english
):
    monkeypatch.setattr(registry_services, "BATCH_ENTRIES", 2)
    path = sirene_file(tmp_path, [sirene_row(n) for n in range(1, 8)])
    listed = registry_services.merchants_list_unclaimed
    calls: list[int] = []

    def failing_on_the_second_batch(*, merchants):
        calls.append(len(merchants))
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return listed(merchants=merchants)

    monkeypatch.setattr(registry_services, "merchants_list_unclaimed", failing_on_the_second_batch)
    with pytest.raises(RuntimeError):
        run(town_a, path, "--commit")
    with inside(town_a):
        stopped = RegistryImport.objects.get()
        assert (stopped.status, stopped.position, stopped.created) == ("failed", 2, 2)
        assert Merchant.objects.count() == 2

    lines = run(town_a, path, "--commit")

    assert lines[-1] == "kept 7, skipped 0, errors 0"
    # Only the rows after the committed batch were read again.
    assert [line.split(":")[0] for line in lines if line.startswith("line ")] == [
        f"line {n}" for n in range(4, 9)
    ]
    with inside(town_a):
        assert Merchant.objects.count() == 7 == RegistryListing.objects.count()
        done = RegistryImport.objects.get()
        assert (done.pk, done.status, done.position, done.created) == (stopped.pk, "done", 7, 7)


def test_a_finished_run_is_not_resumed_the_next_import_of_the_file_is_a_new_run(town_a, tmp_path):
    path = sirene_file(tmp_path, [sirene_row(1)])
    run(town_a, path, "--commit")
    run(town_a, path, "--commit")
    with inside(town_a):
        assert RegistryImport.objects.count() == 2
        assert Merchant.objects.count() == 1


def test_an_unknown_town_is_refused(db, tmp_path):
    from tenants.models import Town

    with pytest.raises(CommandError, match="No town"):
        run(Town(slug="nowhere"), sirene_file(tmp_path, [sirene_row(1)]))


def test_the_benchmarks_generated_file_is_read_as_insee_writes_it(town_a, tmp_path):
    """tests/bench/registry.py's generator, small: valid SIRETs, the town's rows found."""
    from tests.bench.registry import file_generate

    path = tmp_path / "StockEtablissement.csv"
    file_generate(path, 3000)

    lines = run(town_a, path)

    kept, skipped, errors = (int(part.split()[1]) for part in lines[-1].split(", "))
    assert kept > 0 and errors == 0
    assert kept + skipped == 3000
