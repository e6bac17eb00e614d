"""Who reaches the console: vendor staff only, on the root host, past their second factor."""

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.models import Town, VendorAuditEvent
from tests.conftest import TEST_PASSWORD, host_of, signed_in, user_create
from tests.tenants.console.conftest import totp_code, totp_device_create

CONSOLE_PAGES = [
    "/console/",
    "/console/nouvelle-ville/",
    "/console/double-authentification/",
    "/console/villes/alpha/",
    "/console/villes/alpha/supprimer/",
]
CONSOLE_ACTIONS = [
    ("/console/villes/alpha/statut/", {"status": "suspended"}),
    ("/console/villes/alpha/ouvrir-gestion/", {}),
    ("/console/villes/alpha/sauvegarder/", {}),
    ("/console/villes/alpha/exporter/", {}),
    ("/console/villes/alpha/", {"domain": "commerces.alpha.fr"}),
    ("/console/nouvelle-ville/", {"name": "Gamma", "slug": "gamma", "admin_email": "g@g.fr"}),
]


def _nothing_changed(town_a: Town) -> None:
    town_a.refresh_from_db()
    assert town_a.status == "active"
    assert [d.domain for d in town_a.domains.all()] == ["alpha.comptoir.test"]
    assert not Town.objects.filter(slug="gamma").exists()
    assert not VendorAuditEvent.objects.filter(action__in=["backup", "export"]).exists()


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_anonymous_is_sent_to_the_console_sign_in(root_en, town_a, path):
    response = root_en.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/console/connexion/?next={path}"


@pytest.mark.parametrize(("path", "data"), CONSOLE_ACTIONS)
def test_anonymous_actions_change_nothing(root_en, town_a, path, data):
    response = root_en.post(path, data)

    assert response.status_code == 302
    assert response["Location"].startswith("/console/connexion/")
    _nothing_changed(town_a)


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_public_user_who_is_not_staff_is_refused(root_en, town_a, path):
    user_create(None, "client@comptoir.test")
    signed_in(root_en, None, "client@comptoir.test")

    assert root_en.get(path).status_code == 403


@pytest.mark.parametrize(("path", "data"), CONSOLE_ACTIONS)
def test_public_user_who_is_not_staff_changes_nothing(root_en, town_a, path, data):
    user_create(None, "client@comptoir.test")
    signed_in(root_en, None, "client@comptoir.test")

    assert root_en.post(path, data).status_code == 403
    _nothing_changed(town_a)


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_console_does_not_exist_on_a_town_host(client_a, town_a, admin_a, path):
    signed_in(client_a, town_a, admin_a.email)

    assert client_a.get(path).status_code == 404


@pytest.mark.parametrize(("path", "data"), CONSOLE_ACTIONS)
def test_town_admin_actions_on_the_town_host_change_nothing(client_a, town_a, admin_a, path, data):
    signed_in(client_a, town_a, admin_a.email)

    assert client_a.post(path, data).status_code == 404
    _nothing_changed(town_a)


def test_town_admin_session_is_worthless_on_the_root_host(client_a, town_a, admin_a):
    signed_in(client_a, town_a, admin_a.email)
    client_a.defaults["HTTP_HOST"] = settings.ROOT_DOMAIN

    response = client_a.get("/console/")

    assert response.status_code == 302
    assert response["Location"].startswith("/console/connexion/")


def test_town_admin_credentials_do_not_open_the_console(root_en, town_a, admin_a):
    response = root_en.post(
        "/console/connexion/", {"username": admin_a.email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in root_en.session


def test_sign_in_page_answers_in_a_constant_number_of_queries(root_en, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = root_en.get("/console/connexion/")

    assert response.status_code == 200
    assert 'name="otp_token"' in response.content.decode()


def test_staff_signs_in_and_reaches_the_next_page(root_en, vendor_staff, town_a):
    response = root_en.post(
        "/console/connexion/?next=/console/villes/alpha/",
        {"username": vendor_staff.email, "password": TEST_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/console/villes/alpha/"
    assert root_en.get("/console/villes/alpha/").status_code == 200


def test_sign_in_never_redirects_to_another_host(root_en, vendor_staff):
    response = root_en.post(
        "/console/connexion/?next=https://evil.example/",
        {"username": vendor_staff.email, "password": TEST_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/console/"


def test_wrong_password_is_refused(root_en, vendor_staff):
    response = root_en.post(
        "/console/connexion/", {"username": vendor_staff.email, "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in root_en.session
    assert root_en.get("/console/").status_code == 302


def test_non_staff_credentials_get_the_same_answer_as_a_wrong_password(root_en):
    user_create(None, "client@comptoir.test")

    response = root_en.post(
        "/console/connexion/", {"username": "client@comptoir.test", "password": TEST_PASSWORD}
    )

    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert "_auth_user_id" not in root_en.session


def test_sign_out_ends_the_session(console):
    assert console.get("/console/").status_code == 200

    response = console.post("/console/deconnexion/")

    assert response.status_code == 302
    assert response["Location"] == "/console/connexion/"
    assert console.get("/console/").status_code == 302


class TestSecondFactor:
    def test_enrolled_vendor_without_a_code_is_refused(self, root_en, vendor_staff):
        totp_device_create(vendor_staff)

        response = root_en.post(
            "/console/connexion/", {"username": vendor_staff.email, "password": TEST_PASSWORD}
        )

        assert response.status_code == 200
        assert "Enter the current code of your authenticator app." in response.content.decode()
        assert "_auth_user_id" not in root_en.session

    def test_enrolled_vendor_with_a_wrong_code_is_refused(self, root_en, vendor_staff):
        device = totp_device_create(vendor_staff)
        stale_code = totp_code(device, at=0)

        response = root_en.post(
            "/console/connexion/",
            {"username": vendor_staff.email, "password": TEST_PASSWORD, "otp_token": stale_code},
        )

        assert response.status_code == 200
        assert "_auth_user_id" not in root_en.session
        device.refresh_from_db()
        assert device.throttling_failure_count == 1

    def test_enrolled_vendor_with_a_valid_code_is_signed_in_and_verified(
        self, root_en, vendor_staff
    ):
        device = totp_device_create(vendor_staff)

        response = root_en.post(
            "/console/connexion/",
            {
                "username": vendor_staff.email,
                "password": TEST_PASSWORD,
                "otp_token": totp_code(device),
            },
        )

        assert response.status_code == 302
        assert response["Location"] == "/console/"
        assert root_en.session["otp_device_id"] == device.persistent_id
        assert root_en.get("/console/").status_code == 200

    def test_a_code_works_once(self, root_en, vendor_staff):
        device = totp_device_create(vendor_staff)
        code = totp_code(device)
        data = {"username": vendor_staff.email, "password": TEST_PASSWORD, "otp_token": code}
        assert root_en.post("/console/connexion/", data).status_code == 302
        replay = Client(HTTP_HOST=settings.ROOT_DOMAIN)

        response = replay.post("/console/connexion/", data)

        assert response.status_code == 200
        assert "_auth_user_id" not in replay.session

    def test_session_that_never_gave_a_code_is_sent_back_to_sign_in(self, console, vendor_staff):
        # Signed in by password only (the session began before the device was enrolled).
        totp_device_create(vendor_staff)

        response = console.get("/console/")

        assert response.status_code == 302
        assert response["Location"] == "/console/connexion/?next=/console/"

    def test_unconfirmed_device_does_not_ask_for_a_code(self, root_en, vendor_staff):
        totp_device_create(vendor_staff, confirmed=False)

        response = root_en.post(
            "/console/connexion/", {"username": vendor_staff.email, "password": TEST_PASSWORD}
        )

        assert response.status_code == 302

    @pytest.mark.parametrize("path", ["/console/", "/console/villes/alpha/"])
    def test_when_required_a_vendor_without_device_is_sent_to_enrolment(
        self, console, settings, town_a, path
    ):
        settings.CONSOLE_REQUIRE_2FA = True

        response = console.get(path)

        assert response.status_code == 302
        assert response["Location"] == "/console/double-authentification/"
        assert console.get("/console/double-authentification/").status_code == 200

    def test_when_required_a_vendor_without_device_cannot_act(self, console, settings, town_a):
        settings.CONSOLE_REQUIRE_2FA = True

        response = console.post("/console/villes/alpha/statut/", {"status": "suspended"})

        assert response.status_code == 302
        assert response["Location"] == "/console/double-authentification/"
        town_a.refresh_from_db()
        assert town_a.status == "active"

    def test_when_required_a_verified_vendor_gets_in(self, root_en, vendor_staff, settings):
        settings.CONSOLE_REQUIRE_2FA = True
        device = totp_device_create(vendor_staff)
        root_en.post(
            "/console/connexion/",
            {
                "username": vendor_staff.email,
                "password": TEST_PASSWORD,
                "otp_token": totp_code(device),
            },
        )

        assert root_en.get("/console/").status_code == 200


def test_town_host_has_no_console_sign_in(town_a):
    client = Client(HTTP_HOST=host_of(town_a))

    assert client.get("/console/connexion/").status_code == 404
    assert TOTPDevice.objects.count() == 0
