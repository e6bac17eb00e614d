"""Enrolling an authenticator app for the console."""

from base64 import b32encode

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import TEST_PASSWORD
from tests.tenants.console.conftest import totp_code, totp_device_create


def test_enrolment_page_shows_a_qr_code_and_the_secret(console, vendor_staff):
    response = console.get("/console/double-authentification/")

    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=vendor_staff)
    assert device.confirmed is False
    body = response.content.decode()
    assert "<svg" in body and "<path" in body
    secret = b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body


def test_enrolment_page_keeps_the_same_secret_until_confirmed(console, vendor_staff):
    console.get("/console/double-authentification/")
    console.get("/console/double-authentification/")

    assert TOTPDevice.objects.filter(user=vendor_staff).count() == 1


def test_enrolment_page_answers_in_a_constant_number_of_queries(
    console, vendor_staff, django_assert_num_queries
):
    console.get("/console/double-authentification/")

    # User, user's confirmed devices, the pending device: each after SET search_path
    with django_assert_num_queries(6):
        response = console.get("/console/double-authentification/")

    assert response.status_code == 200


def test_a_valid_code_confirms_the_device_and_verifies_the_session(console, vendor_staff, settings):
    console.get("/console/double-authentification/")
    device = TOTPDevice.objects.get(user=vendor_staff)

    response = console.post("/console/double-authentification/", {"otp_token": totp_code(device)})

    assert response.status_code == 302
    assert response["Location"] == "/console/"
    device.refresh_from_db()
    assert device.confirmed is True
    # The session passed the second factor: an enrolled vendor is let in, even when required.
    settings.CONSOLE_REQUIRE_2FA = True
    assert console.get("/console/").status_code == 200
    page = console.get("/console/double-authentification/")
    assert "Your account is protected" in page.content.decode()


def test_a_wrong_code_leaves_the_device_unconfirmed(console, vendor_staff):
    console.get("/console/double-authentification/")
    device = TOTPDevice.objects.get(user=vendor_staff)

    response = console.post(
        "/console/double-authentification/", {"otp_token": totp_code(device, at=0)}
    )

    assert response.status_code == 200
    assert "This code does not match" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert "otp_device_id" not in console.session


def test_an_empty_code_changes_nothing(console, vendor_staff):
    console.get("/console/double-authentification/")

    response = console.post("/console/double-authentification/", {"otp_token": ""})

    assert response.status_code == 200
    assert TOTPDevice.objects.get(user=vendor_staff).confirmed is False


def test_an_enrolled_vendor_makes_no_new_device(root_en, vendor_staff):
    device = totp_device_create(vendor_staff)
    root_en.post(
        "/console/connexion/",
        {"username": vendor_staff.email, "password": TEST_PASSWORD, "otp_token": totp_code(device)},
    )

    response = root_en.get("/console/double-authentification/")

    assert response.status_code == 200
    assert list(TOTPDevice.objects.filter(user=vendor_staff)) == [device]
