"""Suspending, reactivating, archiving and deleting a town (tenants.services.lifecycle)."""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_exists

from tenants.errors import TownStateInvalid
from tenants.models import Domain, Town, VendorAuditEvent
from tenants.services import lifecycle
from tenants.services.lifecycle import town_delete, town_status_set
from tenants.services.provisioning import town_provision
from tests.bench.towns import schemas_named, towns_remove

Status = Town.Status


def audit_actions(town: Town) -> list[str]:
    return list(
        VendorAuditEvent.objects.filter(town_schema=town.schema_name)
        .order_by("pk")
        .values_list("action", flat=True)
    )


class TestStatus:
    @pytest.mark.parametrize(
        ("path", "action"),
        [
            ([Status.SUSPENDED], ["suspend"]),
            ([Status.SUSPENDED, Status.ACTIVE], ["suspend", "reactivate"]),
            ([Status.ARCHIVED], ["archive"]),
            ([Status.ARCHIVED, Status.ACTIVE], ["archive", "reactivate"]),
            ([Status.SUSPENDED, Status.ARCHIVED], ["suspend", "archive"]),
        ],
    )
    def test_moves_are_audited(self, town_a, path, action):
        for status in path:
            returned = town_status_set(
                town=town_a, status=status, actor_email="staff@comptoir.test"
            )

        town_a.refresh_from_db()
        assert town_a.status == returned.status == path[-1]
        assert audit_actions(town_a) == ["provision", *action]
        assert set(
            VendorAuditEvent.objects.filter(town_schema="alpha")
            .exclude(action="provision")
            .values_list("actor_email", flat=True)
        ) == {"staff@comptoir.test"}

    @pytest.mark.parametrize(
        ("current", "wanted", "message"),
        [
            (Status.ACTIVE, Status.ACTIVE, "A town that is “Active” cannot become “Active”."),
            (
                Status.SUSPENDED,
                Status.SUSPENDED,
                "A town that is “Suspended” cannot become “Suspended”.",
            ),
            (
                Status.ARCHIVED,
                Status.SUSPENDED,
                "A town that is “Archived (read-only)” cannot become “Suspended”.",
            ),
            (Status.ACTIVE, Status.TRIAL, "A town cannot be given this status."),
            (Status.ACTIVE, "closed", "A town cannot be given this status."),
        ],
    )
    def test_refused_moves_change_nothing(self, town_a, current, wanted, message):
        Town.objects.filter(pk=town_a.pk).update(status=current)

        with translation.override("en"), pytest.raises(TownStateInvalid) as refused:
            town_status_set(town=town_a, status=wanted)

        assert str(refused.value) == message
        town_a.refresh_from_db()
        assert town_a.status == current
        assert audit_actions(town_a) == ["provision"]


class TestDeleteRefused:
    @pytest.mark.parametrize("status", [Status.TRIAL, Status.ACTIVE, Status.SUSPENDED])
    def test_a_town_not_archived_is_kept(self, town_a, status, backups_root):
        Town.objects.filter(pk=town_a.pk).update(status=status)
        town_a.refresh_from_db()

        with translation.override("en"), pytest.raises(TownStateInvalid) as refused:
            town_delete(town=town_a)

        assert str(refused.value) == "Archive the town before deleting it."
        assert Town.objects.filter(pk=town_a.pk).exists()
        assert Domain.objects.filter(tenant=town_a).exists()
        assert schema_exists("alpha")
        assert audit_actions(town_a) == ["provision"]
        assert not backups_root.exists()

    def test_a_failed_backup_deletes_nothing(self, town_a, backups_root, monkeypatch):
        town = town_status_set(town=town_a, status=Status.ARCHIVED)
        monkeypatch.setattr(lifecycle, "pg_binary", lambda name: "/bin/false")

        with pytest.raises(subprocess.CalledProcessError):
            town_delete(town=town)

        assert Town.objects.filter(pk=town_a.pk).exists()
        assert schema_exists("alpha")
        assert audit_actions(town_a) == ["provision", "archive"]
        assert not backups_root.exists() or list(backups_root.rglob("*.dump")) == []


@pytest.fixture
def committed_omega(django_db_setup, django_db_blocker, media_root) -> Iterator[Town]:
    """A town committed for real: pg_dump reads through its own connection."""
    with django_db_blocker.unblock():
        # pytest-django sets the test database up only if the session holds a `db` test.
        if not connection.settings_dict["NAME"].startswith("test_"):
            pytest.fail("No test database: run these tests together with a test using `db`.")
        towns_remove(slugs=["omega"])
        try:
            yield town_provision(name="Omega", slug="omega", admin_email="mairie@omega.test")
        finally:
            towns_remove(slugs=["omega"])
            assert set(Town.objects.values_list("slug", flat=True)) == {"alpha", "beta"}


def test_deleting_an_archived_town_backs_it_up_then_drops_it(
    committed_omega, media_root, backups_root
):
    town = town_status_set(town=committed_omega, status=Status.ARCHIVED)

    dump_name = town_delete(town=town, actor_email="staff@comptoir.test")

    assert re.fullmatch(r"omega-\d{8}T\d{6}\.dump", dump_name)
    dump = backups_root / dump_name
    assert dump.is_file() and dump.stat().st_size > 0
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    # Nothing of the town's data lands in the media storage, which is served.
    assert not any(path.is_file() for path in media_root.rglob("*"))
    pg_restore = Path(lifecycle.pg_binary("pg_restore"))
    listing = subprocess.run(
        [pg_restore, "--list", dump], check=True, capture_output=True, text=True
    ).stdout
    assert "SCHEMA - omega" in listing
    for table in ("accounts_user", "directory_category", "django_migrations"):
        assert f"TABLE omega {table} " in listing
        assert f"TABLE DATA omega {table} " in listing
    assert schemas_named(["omega"]) == set()
    assert not Town.objects.filter(slug="omega").exists()
    assert not Domain.objects.filter(domain="omega.comptoir.test").exists()
    event = VendorAuditEvent.objects.get(town_schema="omega", action="delete")
    assert (event.town_name, event.actor_email, event.detail) == (
        "Omega",
        "staff@comptoir.test",
        dump_name,
    )
