"""The upload's task on a real Celery worker fed through Redis: it imports into the town that
sent it, and only there. Committed data (the worker has its own connection), cleaned up."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.accounts.models import User
from marketplace.directory.models import Merchant
from onboarding.models import RegistryImport
from onboarding.services import registry as registry_services
from onboarding.tasks import registry_import_task
from tenants.models import Town
from tests.comptoir.test_celery_worker import worker_queue  # noqa: F401 - a fixture
from tests.concurrency import town_committed
from tests.conftest import inside
from tests.onboarding.builders import SIRENE_COLUMNS, TOWN_INSEE, csv_bytes, sirene_row

# pytest-django creates the test database only for a session holding a test that asks for one:
# the marker asks, and the fixture below keeps it from wrapping the test in a transaction the
# worker's connection could not see through (as tests/e2e does).
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _django_db_marker() -> None:
    """Replaces pytest-django's: no transaction around this test."""


def test_a_worker_imports_the_upload_into_its_town_only(
    django_db_setup,
    django_db_blocker,
    worker_queue,  # noqa: F811 - the fixture imported above
    monkeypatch,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(registry_services, "_queue", lambda run: None)  # queued by hand below
    upload = SimpleUploadedFile(
        "sirene.csv", csv_bytes([sirene_row(1), sirene_row(2)], SIRENE_COLUMNS), "text/csv"
    )
    insee_before: dict[str, str] = {}

    def cleanup() -> None:
        Merchant.objects.filter(registry_listing__isnull=False).delete()
        RegistryImport.objects.all().delete()
        for slug, code in insee_before.items():
            Town.objects.filter(slug=slug).update(insee_code=code)

    with town_committed(django_db_blocker, cleanup=cleanup) as town:
        towns = Town.objects.filter(slug__in=["alpha", "beta"])
        insee_before.update(towns.values_list("slug", "insee_code"))
        towns.update(insee_code=TOWN_INSEE)
        with inside(town):
            admin = User.objects.get(email="mairie@alpha.test")
            run = registry_services.registry_import_upload(
                actor=admin, file_format="sirene", upload=upload
            )
            RegistryImport.objects.filter(pk=run.pk).update(commit=True)
            registry_import_task.apply_async(args=[run.pk], queue=worker_queue)

        deadline = time.monotonic() + 60
        with inside(town):
            while RegistryImport.objects.get(pk=run.pk).status not in ("done", "failed"):
                assert time.monotonic() < deadline, "the worker never finished the import"
                time.sleep(0.2)
            done = RegistryImport.objects.get(pk=run.pk)
            assert (done.status, done.created) == ("done", 2)
            assert Merchant.objects.filter(registry_listing__isnull=False).count() == 2
        with inside(Town.objects.get(slug="beta")):
            assert not Merchant.objects.filter(registry_listing__isnull=False).exists()
            assert not RegistryImport.objects.exists()
