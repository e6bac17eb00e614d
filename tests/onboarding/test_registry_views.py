"""/gestion/registre/: the town's administrator uploads a registry file, sees the preview's
report, imports the good rows; nobody else reaches it, and a town's run never touches another."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from marketplace.directory.models import Merchant, MerchantMember
from onboarding.models import RegistryImport, RegistryImportLine, RegistryListing
from onboarding.tasks import registry_import_task
from tests.conftest import host_of, inside, signed_in, user_create
from tests.marketplace.backoffice.builders import shop_create
from tests.onboarding.builders import SIRENE_COLUMNS, csv_bytes, sirene_row
from tests.onboarding.test_import_registry_command import fixture_rows

pytestmark = pytest.mark.django_db

URL = "/gestion/registre/"


@pytest.fixture
def admin_client_a(client_a, town_a, admin_a, media_root):
    return signed_in(client_a, town_a, admin_a.email)


def upload(rows=None, name="sirene.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows or fixture_rows(), SIRENE_COLUMNS), "text/csv")


def uploaded(client: Client, captured, **fields) -> RegistryImport:
    with captured(execute=True):
        response = client.post(URL, {"file_format": "sirene", "file": upload(), **fields})
    assert response.status_code == 302
    return RegistryImport.objects.order_by("-pk")[0]


def test_the_preview_writes_nothing_and_shows_the_report(
    admin_client_a, town_a, django_capture_on_commit_callbacks, english
):
    with inside(town_a):
        run = uploaded(admin_client_a, django_capture_on_commit_callbacks)
        assert (run.commit, run.status, run.created, run.skipped, run.errors) == (
            False, "done", 3, 4, 2,
        )  # fmt: skip
        assert not Merchant.objects.exists() and not RegistryListing.objects.exists()
        assert run.file.name.startswith(f"{town_a.schema_name}/imports/registry/")

    page = admin_client_a.get(f"{URL}{run.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Import the 3 good rows" in html
    assert "Already on line 2 of the file." in html
    assert 'value="100"' in html  # the progress bar, full


def test_confirming_the_preview_imports_the_good_rows_once(
    admin_client_a, town_a, django_capture_on_commit_callbacks
):
    with inside(town_a):
        preview = uploaded(admin_client_a, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_a.post(f"{URL}{preview.pk}/importer/")
    again = admin_client_a.post(f"{URL}{preview.pk}/importer/")

    assert response.status_code == again.status_code == 302
    assert response["Location"] == again["Location"]
    with inside(town_a):
        run = RegistryImport.objects.get(commit=True)
        assert (run.status, run.created, run.preview_of_id) == ("done", 3, preview.pk)
        assert Merchant.objects.count() == 3
        assert not MerchantMember.objects.exists()


def test_the_progress_bar_polls_while_the_run_goes_and_stops_at_its_end(admin_client_a, town_a):
    with inside(town_a):
        run = RegistryImport.objects.create(
            format="sirene", source_name="x.csv", fingerprint="f", size_bytes=1000,
            bytes_read=420, status=RegistryImport.Status.RUNNING,
        )  # fmt: skip
    part = admin_client_a.get(f"{URL}{run.pk}/progression/", HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert 'hx-trigger="every 1s"' in part.content.decode()
    assert 'value="42"' in part.content.decode()
    assert "HX-Refresh" not in part

    with inside(town_a):
        RegistryImport.objects.filter(pk=run.pk).update(status=RegistryImport.Status.DONE)
    part = admin_client_a.get(f"{URL}{run.pk}/progression/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in part.content.decode()
    assert part["HX-Refresh"] == "true"


def test_a_bad_upload_is_refused_and_nothing_is_queued(admin_client_a, town_a, english):
    response = admin_client_a.post(URL, {"file_format": "sirene"})
    assert response.status_code == 400
    bad = SimpleUploadedFile("x.csv", b"", "text/csv")
    assert admin_client_a.post(URL, {"file_format": "sirene", "file": bad}).status_code == 400
    bad = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", "text/csv")
    assert admin_client_a.post(URL, {"file_format": "kml", "file": bad}).status_code == 400
    with inside(town_a):
        assert not RegistryImport.objects.exists()


def test_a_file_of_the_wrong_shape_fails_its_run_with_a_clear_reason(
    admin_client_a, town_a, django_capture_on_commit_callbacks, english
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_a.post(
            URL,
            {"file_format": "sirene", "file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")},
        )
    with inside(town_a):
        run = RegistryImport.objects.get()
    assert run.status == "failed"
    assert "columns siret" in run.failure
    page = admin_client_a.get(f"{URL}{run.pk}/")
    assert "columns siret" in page.content.decode()
    assert "Try again" in page.content.decode()


@pytest.mark.parametrize("page", ["", "{run}/", "{run}/progression/"])
def test_only_this_towns_administrator_reaches_the_pages(
    client_a, client_b, town_a, town_b, admin_b, page
):
    with inside(town_a):
        run = RegistryImport.objects.create(format="sirene", source_name="x.csv", fingerprint="f")
    url = URL + page.format(run=run.pk)
    shop_create(town_a, owner="owner@alpha.test")  # a merchant of the town
    user_create(town_a, "shopper@alpha.test")
    for email in ("owner@alpha.test", "shopper@alpha.test"):
        client = signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, email)
        assert client.get(url).status_code == 403
    assert client_a.get(url).status_code == 302  # signed out: to sign in
    # B's administrator, on B: A's run is not there; with B's cookies on A's host: no session.
    signed_in(client_b, town_b, admin_b.email)
    if "{run}" in page:
        assert client_b.get(url).status_code == 404
    stranger = Client(HTTP_HOST=host_of(town_a))
    stranger.cookies = client_b.cookies
    assert stranger.get(url).status_code == 302


def test_only_this_towns_administrator_uploads_or_confirms(
    client_a, client_b, town_a, town_b, admin_b, media_root, django_capture_on_commit_callbacks
):
    shop_create(town_a, owner="owner@alpha.test")
    signed_in(client_a, town_a, "owner@alpha.test")
    with inside(town_a):
        preview = RegistryImport.objects.create(
            format="sirene", source_name="x.csv", fingerprint="f", status="done", created=1
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert client_a.post(URL, {"file_format": "sirene", "file": upload()}).status_code == 403
        assert client_a.post(f"{URL}{preview.pk}/importer/").status_code == 403
        assert client_a.post(f"{URL}{preview.pk}/reprendre/").status_code == 403
        signed_in(client_b, town_b, admin_b.email)
        assert client_b.post(f"{URL}{preview.pk}/importer/").status_code == 404
    with inside(town_a):
        assert RegistryImport.objects.count() == 1
    with inside(town_b):
        assert not RegistryImport.objects.exists()


def test_a_task_for_town_a_never_writes_into_town_b(
    town_a, town_b, admin_a, media_root, django_capture_on_commit_callbacks
):
    """Both towns have the commune of the file's rows; A's run is A's alone."""
    from onboarding.services.registry import registry_import_upload

    with inside(town_a):
        with django_capture_on_commit_callbacks(execute=False):
            run = registry_import_upload(
                actor=admin_a, file_format="sirene", upload=upload([sirene_row(1)])
            )
        RegistryImport.objects.filter(pk=run.pk).update(commit=True)

    # Sent for A's run but in B's schema: B has no such run, nothing happens there.
    registry_import_task.apply(args=[run.pk], headers={"_schema_name": town_b.schema_name})
    with inside(town_b):
        assert not Merchant.objects.exists() and not RegistryImport.objects.exists()

    registry_import_task.apply(args=[run.pk], headers={"_schema_name": town_a.schema_name})
    # Delivered twice: its work is done once.
    registry_import_task.apply(args=[run.pk], headers={"_schema_name": town_a.schema_name})
    with inside(town_a):
        assert Merchant.objects.count() == 1
        assert RegistryImportLine.objects.filter(run_id=run.pk).count() == 1
    with inside(town_b):
        assert not Merchant.objects.exists() and not RegistryListing.objects.exists()


def _lines(town, run, count):
    with inside(town):
        RegistryImportLine.objects.bulk_create(
            RegistryImportLine(run=run, line=n + 2, outcome="error", message="bad")
            for n in range(count)
        )


def test_the_report_pages_queries_do_not_grow_with_its_lines(
    admin_client_a, town_a, django_assert_max_num_queries
):
    with inside(town_a):
        preview = RegistryImport.objects.create(
            format="sirene", source_name="x.csv", fingerprint="f", status="done"
        )
        run = RegistryImport.objects.create(
            format="sirene", source_name="x.csv", fingerprint="f", commit=True, preview_of=preview
        )
    _lines(town_a, run, 3)
    admin_client_a.get(f"{URL}{run.pk}/")  # warm the session and the town's caches
    with django_assert_max_num_queries(12) as few:
        assert admin_client_a.get(f"{URL}{run.pk}/").status_code == 200
    _lines(town_a, run, 300)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client_a.get(f"{URL}{run.pk}/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client_a.get(f"{URL}{run.pk}/?page=3&resultat=error").status_code == 200

    for n in range(12):
        with inside(town_a):
            RegistryImport.objects.create(format="osm", source_name=f"{n}.csv", fingerprint="f")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client_a.get(URL).status_code == 200
