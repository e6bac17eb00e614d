"""A town's backup and restore (tenants.services.backups): a seeded demo town round-trips into
a new town with every table's rows and contents, its files and its public rows.

pg_dump and psql work through their own connections, so the town here is committed for real
(seed_demo commits as it goes) and removed afterwards.
"""

import io
import json
import tarfile
from collections.abc import Iterator

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_tenants.utils import schema_context, schema_exists

from comptoir.accounts.models import User
from marketplace.catalogue.models import Product, ProductPhoto
from marketplace.demo.towns import VENDOR_EMAIL
from marketplace.directory.models import Merchant
from tenants.errors import TownInputInvalid
from tenants.models import Domain, Town, VendorAuditEvent
from tenants.services.backups import (
    table_fingerprints,
    town_backup,
    town_file_columns,
    town_restore,
)
from tests.bench.towns import towns_remove
from tests.conftest import public_user_delete

SEEDED, COPY = "chalons", "chalons-copie"

# The test database is made for these tests (the marker), but they run outside any transaction
# (this fixture replaces pytest-django's), as the e2e tests do.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _django_db_marker() -> None:
    """Replaces pytest-django's: no transaction around the test, which pg_dump could not see."""


@pytest.fixture
def seeded_town(django_db_setup, django_db_blocker, media_root, backups_root) -> Iterator[Town]:
    with django_db_blocker.unblock():
        vendor_existed = User.objects.filter(email=VENDOR_EMAIL).exists()
        towns_remove(slugs=[SEEDED, COPY])
        try:
            call_command("seed_demo", town=SEEDED, size="small", stdout=io.StringIO())
            yield Town.objects.get(slug=SEEDED)
        finally:
            towns_remove(slugs=[SEEDED, COPY])
            if not vendor_existed:
                public_user_delete(User.objects.get(email=VENDOR_EMAIL))


def _file_names(schema: str) -> dict[str, list[str]]:
    with schema_context(schema):
        return {
            "logos": sorted(Merchant.objects.exclude(logo="").values_list("logo", flat=True)),
            "photos": sorted(ProductPhoto.objects.values_list("image", flat=True)),
        }


def test_a_seeded_town_comes_back_as_a_new_town_with_all_its_data(seeded_town, backups_root):
    original = table_fingerprints(seeded_town.schema_name)
    files_before = _file_names(seeded_town.schema_name)
    assert files_before["logos"] and files_before["photos"]

    backup = town_backup(town=seeded_town, actor_email="staff@comptoir.test")
    restored = town_restore(archive=backup.name, as_slug=COPY, actor_email="staff@comptoir.test")

    assert (backups_root / backup.name).stat().st_size == backup.size
    assert (backups_root / f"{backup.name}.sha256").read_text().split()[0] == backup.sha256
    assert (restored.slug, restored.schema_name, restored.name) == (
        COPY,
        "chalons_copie",
        seeded_town.name,
    )
    assert restored.welcome_text == seeded_town.welcome_text
    assert Domain.objects.get(tenant=restored).domain == "chalons-copie.comptoir.test"
    copied = table_fingerprints(restored.schema_name)
    assert set(copied) == set(original) and len(original) > 40
    assert {table: f.rows for table, f in copied.items()} == {
        table: f.rows for table, f in original.items()
    }
    # Contents are the same, but where a stored file is named: it now sits under the new
    # schema, as a copy (the original town's files are its own).
    with_files = {model._meta.db_table for model, _column in town_file_columns()}
    assert {Merchant._meta.db_table, ProductPhoto._meta.db_table} <= with_files
    assert {t: f for t, f in copied.items() if t not in with_files} == {
        t: f for t, f in original.items() if t not in with_files
    }
    files_after = _file_names(restored.schema_name)
    for kind, names in files_before.items():
        assert files_after[kind] == [
            name.replace("chalons/", "chalons_copie/", 1) for name in names
        ]
        for before, after in zip(names, files_after[kind], strict=True):
            with default_storage.open(before) as old, default_storage.open(after) as new:
                assert old.read() == new.read()
    # The copy is a town of its own: its pages answer, its rows are its own.
    with schema_context(restored.schema_name):
        Product.objects.update(title="Changé dans la copie")
    with schema_context(seeded_town.schema_name):
        assert not Product.objects.filter(title="Changé dans la copie").exists()
    assert list(
        VendorAuditEvent.objects.filter(town_schema__in=["chalons", "chalons_copie"])
        .order_by("pk")
        .values_list("town_schema", "action")
    )[-2:] == [("chalons", "backup"), ("chalons_copie", "restore")]


def test_a_deleted_town_comes_back_under_its_own_slug(seeded_town):
    backup = town_backup(town=seeded_town)
    original = table_fingerprints(seeded_town.schema_name)
    towns_remove(slugs=[SEEDED])
    assert not schema_exists("chalons")

    restored = town_restore(archive=backup.name)

    assert restored.slug == SEEDED
    assert table_fingerprints("chalons") == original
    # Its audit trail came back with it (up to the backup), then the restore.
    actions = list(
        VendorAuditEvent.objects.filter(town_schema="chalons")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert (actions[0], actions[-1]) == ("provision", "restore") and "backup" not in actions


def _tampered(backups_root, name: str) -> None:
    path = backups_root / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_archive_or_a_taken_slug_restores_nothing(seeded_town, backups_root, english):
    backup = town_backup(town=seeded_town)
    towns_before = set(Town.objects.values_list("slug", flat=True))

    with pytest.raises(TownInputInvalid, match="already taken"):
        town_restore(archive=backup.name)  # the town is still here
    with pytest.raises(TownInputInvalid, match="No backup"):
        town_restore(archive="nowhere.tar", as_slug=COPY)
    _tampered(backups_root, backup.name)
    with pytest.raises(TownInputInvalid, match="damaged"):
        town_restore(archive=backup.name, as_slug=COPY)

    assert set(Town.objects.values_list("slug", flat=True)) == towns_before
    assert not schema_exists("chalons_copie")


def test_a_member_changed_inside_the_archive_is_refused(
    seeded_town, backups_root, tmp_path, english
):
    """Even without its sidecar checksum, an archive whose dump was edited is refused."""
    backup = town_backup(town=seeded_town)
    with tarfile.open(backups_root / backup.name) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    members["schema.sql"] += b"\nDROP TABLE chalons.accounts_user;\n"
    forged = tmp_path / "forged.tar"
    with tarfile.open(forged, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    assert json.loads(members["manifest.json"])["town"]["schema"] == "chalons"

    with pytest.raises(TownInputInvalid, match="damaged"):
        town_restore(archive=str(forged), as_slug=COPY)
    assert not schema_exists("chalons_copie")
