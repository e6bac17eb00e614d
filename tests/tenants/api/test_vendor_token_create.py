"""`manage.py vendor_token_create --email …` prints a vendor staff member's API token."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from tests.conftest import inside, user_create
from tests.tenants.api.conftest import api_client_for


def _run(email: str) -> str:
    out = StringIO()
    call_command("vendor_token_create", email=email, stdout=out)
    return out.getvalue().strip()


def test_prints_a_token_that_opens_the_vendor_api(vendor_staff, town_a):
    key = _run("Staff@Comptoir.test")

    assert Token.objects.get(user=vendor_staff).key == key
    client = api_client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/towns/").status_code == 200


def test_prints_the_same_token_twice(vendor_staff):
    assert _run(vendor_staff.email) == _run(vendor_staff.email)
    assert Token.objects.count() == 1


@pytest.mark.parametrize("email", ["client@comptoir.test", "nobody@comptoir.test"])
def test_refuses_who_is_not_vendor_staff(db, email):
    user_create(None, "client@comptoir.test")

    with pytest.raises(CommandError):
        _run(email)

    assert not Token.objects.exists()


def test_refuses_a_town_administrator(town_a, admin_a):
    with pytest.raises(CommandError):
        _run(admin_a.email)

    assert not Token.objects.exists()
    with inside(town_a):
        assert not Token.objects.exists()
