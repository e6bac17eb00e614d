"""Provisioning with real commits, from several threads at once.

These tests run outside the per-test transaction (each thread has its own connection and
commits), so each removes the towns it made: the rest of the suite sees only Alpha and Beta.
"""

import threading
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

from marketplace.directory.models import Category
from tenants import hooks
from tenants.errors import TownInputInvalid
from tenants.models import Domain, Town
from tenants.services.provisioning import town_provision
from tests.bench.towns import schemas_named, towns_remove

SLUGS = ("gamma", "delta")


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Database access outside any test transaction; the towns made here are removed after."""
    with django_db_blocker.unblock():
        # pytest-django sets the test database up only if the session holds a `db` test.
        if not connection.settings_dict["NAME"].startswith("test_"):
            pytest.fail("No test database: run these tests together with a test using `db`.")
        towns_remove(slugs=SLUGS)
        try:
            yield
        finally:
            towns_remove(slugs=SLUGS)
            assert set(Town.objects.values_list("slug", flat=True)) == {"alpha", "beta"}


def run_together(*calls: Callable[[], Town]) -> list[tuple[str, object]]:
    """Start the calls at the same instant, one thread each; the outcome of each, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object]] = [("not run", None)] * len(calls)

    def run(index: int, call: Callable[[], Town]) -> None:
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                outcomes[index] = ("made", call().slug)
        except TownInputInvalid as refused:
            outcomes[index] = ("refused", refused.errors)
        except Exception as error:
            outcomes[index] = ("error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def provision(slug: str, email: str) -> Callable[[], Town]:
    return lambda: town_provision(name=slug.title(), slug=slug, admin_email=email)


def test_the_same_slug_twice_at_once_makes_one_town(committed, mailoutbox):
    outcomes = run_together(
        provision("gamma", "first@gamma.test"), provision("gamma", "second@gamma.test")
    )

    assert sorted(outcomes, key=lambda outcome: outcome[0]) == [
        ("made", "gamma"),
        ("refused", {"slug": ["The address “gamma” is already taken."]}),
    ]
    assert Town.objects.filter(slug="gamma").count() == 1
    assert Domain.objects.filter(domain="gamma.comptoir.test").count() == 1
    assert schemas_named(["gamma"]) == {"gamma"}
    # Only the town that was made invited its administrator.
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to[0] in ("first@gamma.test", "second@gamma.test")


def test_two_slugs_at_once_make_two_towns(committed, mailoutbox):
    outcomes = run_together(
        provision("gamma", "mairie@gamma.test"), provision("delta", "mairie@delta.test")
    )

    assert outcomes == [("made", "gamma"), ("made", "delta")]
    assert set(Town.objects.filter(slug__in=SLUGS).values_list("slug", flat=True)) == set(SLUGS)
    assert schemas_named(SLUGS) == set(SLUGS)
    for slug in SLUGS:
        with schema_context(slug):
            assert Category.objects.exists()
    assert sorted(m.to[0] for m in mailoutbox) == ["mairie@delta.test", "mairie@gamma.test"]


def test_a_failure_after_the_schema_was_made_commits_nothing(committed, monkeypatch, mailoutbox):
    def exploding() -> int:
        raise RuntimeError("disk full")

    monkeypatch.setitem(hooks._town_setups, "directory.categories", exploding)

    with pytest.raises(RuntimeError, match="disk full"):
        town_provision(name="Gamma", slug="gamma", admin_email="mairie@gamma.test")

    assert schemas_named(["gamma"]) == set()
    assert not Town.objects.filter(slug="gamma").exists()
    assert not Domain.objects.filter(domain="gamma.comptoir.test").exists()
    assert mailoutbox == []
