"""Provisioning a town from the console."""

from django.db import connection
from django_tenants.utils import schema_exists

from comptoir.accounts.models import User
from tenants.models import Domain, Town, TownStats, VendorAuditEvent
from tests.conftest import inside

VALID = {
    "name": "Gamma-la-Forêt",
    "slug": "gamma",
    "insee_code": "73008",
    "admin_email": "mairie@gamma.test",
    "plan": "commerce",
}


def test_form_page_answers_in_a_constant_number_of_queries(console, django_assert_num_queries):
    # User, user's devices: each after django-tenants' SET search_path
    with django_assert_num_queries(4):
        response = console.get("/console/nouvelle-ville/")

    assert response.status_code == 200
    body = response.content.decode()
    for field in ("name", "slug", "insee_code", "admin_email", "plan"):
        assert f'name="{field}"' in body


def test_provisions_the_town_and_shows_its_page(console, vendor_staff):
    response = console.post("/console/nouvelle-ville/", VALID)

    assert response.status_code == 302
    assert response["Location"] == "/console/villes/gamma/"
    town = Town.objects.get(slug="gamma")
    assert (town.name, town.insee_code, town.plan) == ("Gamma-la-Forêt", "73008", "commerce")
    assert schema_exists("gamma")
    assert Domain.objects.get(tenant=town).domain == "gamma.comptoir.test"
    event = VendorAuditEvent.objects.get(town_schema="gamma")
    assert (event.action, event.actor_email) == ("provision", vendor_staff.email)
    stats = TownStats.objects.get(town=town)
    assert (stats.merchants, stats.products, stats.orders) == (0, 0, 0)
    with inside(town):
        assert User.objects.get().email == "mairie@gamma.test"
    connection.set_schema_to_public()

    page = console.get(response["Location"])
    assert "is live at http://gamma.comptoir.test/" in page.content.decode()


def test_service_errors_are_shown_on_their_fields_and_nothing_is_made(console):
    response = console.post(
        "/console/nouvelle-ville/",
        VALID | {"slug": "Not a slug", "insee_code": "7", "admin_email": "nobody"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"slug", "insee_code", "admin_email"}
    assert form.errors["insee_code"] == [
        "An INSEE code is five characters: digits, or 2A/2B followed by three digits."
    ]
    assert not Town.objects.filter(name="Gamma-la-Forêt").exists()
    assert not VendorAuditEvent.objects.filter(town_name="Gamma-la-Forêt").exists()


def test_a_taken_slug_is_refused_on_the_slug_field(console, town_a):
    response = console.post("/console/nouvelle-ville/", VALID | {"slug": "alpha"})

    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == ["The address “alpha” is already taken."]
    assert Town.objects.filter(slug="alpha").count() == 1
    assert not Town.objects.filter(name="Gamma-la-Forêt").exists()


def test_missing_fields_are_refused_before_the_service(console):
    response = console.post("/console/nouvelle-ville/", {"plan": "unknown"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "slug", "admin_email", "plan"}
    assert not VendorAuditEvent.objects.filter(town_schema="gamma").exists()
