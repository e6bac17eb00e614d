"""Deleted towns' backups: private, listed and downloaded only in the console, each download
audited."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from tenants.models import VendorAuditEvent

DUMP = b"PGDMP fictional dump of omega"


@pytest.fixture
def omega_backup(backups_root) -> VendorAuditEvent:
    name = storages["backups"].save("omega-20261207T101500.dump", ContentFile(DUMP))
    return VendorAuditEvent.objects.create(
        town_name="Omega",
        town_schema="omega",
        action=VendorAuditEvent.Action.DELETE,
        actor_email="staff@comptoir.test",
        detail=name,
    )


def test_vendor_staff_list_and_download_a_backup_and_the_download_is_audited(
    console, vendor_staff, omega_backup
):
    listing = console.get("/console/sauvegardes/")
    assert listing.status_code == 200
    assert "omega-20261207T101500.dump" in listing.content.decode()

    response = console.get(f"/console/sauvegardes/{omega_backup.pk}/telecharger/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DUMP
    assert 'attachment; filename="omega-20261207T101500.dump"' in response["Content-Disposition"]
    download = VendorAuditEvent.objects.get(action=VendorAuditEvent.Action.BACKUP_DOWNLOAD)
    assert (download.town_schema, download.actor_email, download.detail) == (
        "omega",
        vendor_staff.email,
        omega_backup.detail,
    )


def test_only_a_deletion_with_a_backup_can_be_downloaded(console, omega_backup):
    other = VendorAuditEvent.objects.create(
        town_name="Omega", town_schema="omega", action="archive", detail="omega-x.dump"
    )

    assert console.get(f"/console/sauvegardes/{other.pk}/telecharger/").status_code == 404
    assert console.get("/console/sauvegardes/999999/telecharger/").status_code == 404
    assert not VendorAuditEvent.objects.filter(action="backup_download").exists()


def test_a_backup_is_reached_by_nobody_but_vendor_staff(root_en, client_a, town_a, omega_backup):
    url = f"/console/sauvegardes/{omega_backup.pk}/telecharger/"

    assert root_en.get(url).status_code == 302  # to the console's sign-in
    # A town's host has no console, and its media URL serves no backup.
    assert client_a.get(url).status_code == 404
    assert client_a.get(f"/media/{omega_backup.detail}").status_code == 404
    assert client_a.get(f"/media/public/backups/{omega_backup.detail}").status_code == 404
    assert not VendorAuditEvent.objects.filter(action="backup_download").exists()
