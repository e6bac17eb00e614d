"""The town administration's registry import in Chromium: the upload form, then the preview's
report (the task ran in the request, eager), both axe-checked."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketplace.directory.models import Merchant
from onboarding.models import RegistryImport
from tenants.models import Town
from tests.conftest import inside
from tests.onboarding.builders import TOWN_INSEE, sirene_file, sirene_row

pytestmark = pytest.mark.e2e


@pytest.fixture
def town_with_insee(town_a, town_restored, settings, tmp_path) -> Iterator[Town]:
    settings.MEDIA_ROOT = tmp_path / "media"
    town_restored(town_a)
    Town.objects.filter(pk=town_a.pk).update(insee_code=TOWN_INSEE)
    yield town_a
    with inside(town_a):
        Merchant.objects.filter(registry_listing__isnull=False).delete()
        RegistryImport.objects.all().delete()


def test_registry_upload_and_preview_pages_are_accessible(
    page, live_url, town_with_insee, admin_a, sign_in, axe_check, tmp_path
):
    path: Path = sirene_file(
        tmp_path, [sirene_row(1), sirene_row(2, codeCommuneEtablissement="75056"),
                   sirene_row(3, enseigne1Etablissement="", denominationUniteLegale="")]
    )  # fmt: skip
    sign_in(page, town_with_insee, admin_a.email, then="/gestion/registre/")
    expect(page.locator("h1")).to_be_visible()
    axe_check(page)

    page.locator("input[name=file]").set_input_files(str(path))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    expect(page.locator("progress")).to_have_attribute("value", "100")
    expect(page.locator("main table tbody tr")).to_have_count(2)
    axe_check(page)
    with inside(town_with_insee):
        assert not Merchant.objects.filter(registry_listing__isnull=False).exists()
