"""/boutique/inscription/: a person applies to list their shop, on the town's host."""

import re

import pytest
from django.test import Client

from comptoir.accounts.models import User
from marketplace.directory.models import Category, Merchant, MerchantMember
from tests.conftest import TEST_PASSWORD, host_of, inside, signed_in, user_create
from tests.marketplace.directory.conftest import INVALID_SIRET, VALID_SIRET, category_create


def form_data(category, **overrides) -> dict[str, str]:
    return {
        "trade_name": "La Fromagerie du Port",
        "category": str(category.pk),
        "address": "3 quai de la République",
        "postcode": "73100",
        "city": "Alpha-sur-Mer",
        "phone": "",
        "siret": VALID_SIRET,
        "full_name": "Claire Dupont",
        "email": "claire@fromagerie.test",
        "password": "un-mot-de-passe-solide-42",
    } | overrides


@pytest.mark.smoke
def test_the_form_is_offered_with_the_town_s_categories(client_a, town_a):
    category = category_create(town_a, name="Fromagerie")

    response = client_a.get("/boutique/inscription/")

    assert response.status_code == 200
    body = response.content.decode()
    assert f'<option value="{category.pk}">Fromagerie</option>' in body
    assert 'name="password"' in body
    assert "votre compte si vous en avez déjà un" not in body


def test_applying_creates_a_pending_shop_tells_the_admins_and_signs_nobody_in(
    client_a, town_a, admin_a, django_capture_on_commit_callbacks, mailoutbox
):
    category = category_create(town_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post("/boutique/inscription/", form_data(category))

    assert response.status_code == 302
    assert response["Location"] == "/boutique/inscription/merci/"
    with inside(town_a):
        merchant = Merchant.objects.get(name="La Fromagerie du Port")
        member = MerchantMember.objects.select_related("user").get(merchant=merchant)
    assert merchant.status == Merchant.Status.PENDING
    assert member.user.email == "claire@fromagerie.test"
    assert "_auth_user_id" not in client_a.session
    assert [message.to for message in mailoutbox] == [
        ["mairie@alpha.test", admin_a.email],
        ["claire@fromagerie.test"],
    ]
    done = client_a.get("/boutique/inscription/merci/").content.decode()
    assert "Vérifiez vos e-mails" in done


def _answer(town, category, **overrides):
    """A fresh visitor sends the form, then follows the answer: what they see and keep."""
    client = Client(HTTP_HOST=host_of(town))
    response = client.post("/boutique/inscription/", form_data(category, **overrides))
    page = client.get(response["Location"]) if response.status_code == 302 else response
    return (
        response.status_code,
        response.get("Location"),
        sorted(response.cookies),
        # Each visitor has a CSRF token of their own; the rest must be the same.
        re.sub(r"[A-Za-z0-9]{64}", "<csrf>", page.content.decode()),
        "_auth_user_id" in client.session,
    )


@pytest.mark.parametrize("password", [TEST_PASSWORD, "un-autre-mot-de-passe-99"])
def test_an_existing_e_mail_gets_the_answer_of_a_new_one_and_is_not_signed_in(
    town_a, password, django_capture_on_commit_callbacks, mailoutbox
):
    user_create(town_a, "claire@fromagerie.test")
    category = category_create(town_a)

    with django_capture_on_commit_callbacks(execute=True):
        existing = _answer(town_a, category, password=password)
    with django_capture_on_commit_callbacks(execute=True):
        new = _answer(
            town_a, category, email="nouvelle@fromagerie.test", trade_name="La Fromagerie Neuve"
        )

    assert existing == new
    assert existing[:3] == (302, "/boutique/inscription/merci/", [])
    assert existing[4] is False
    with inside(town_a):
        assert list(Merchant.objects.values_list("name", flat=True)) == ["La Fromagerie Neuve"]
    to_existing, to_admins, to_new = mailoutbox
    assert (to_existing.to, to_new.to) == (["claire@fromagerie.test"], ["nouvelle@fromagerie.test"])
    assert "/compte/connexion/?next=%2Fboutique%2Finscription%2F" in to_existing.body
    assert "La Fromagerie Neuve" in to_admins.subject


def test_a_signed_in_person_applies_without_a_password(client_a, town_a):
    user = user_create(town_a, "paul@alpha.test")
    signed_in(client_a, town_a, user.email)
    category = category_create(town_a)
    data = form_data(category, email="paul@alpha.test")
    del data["password"], data["full_name"]

    assert 'name="password"' not in client_a.get("/boutique/inscription/").content.decode()
    response = client_a.post("/boutique/inscription/", data)

    assert response.status_code == 302
    with inside(town_a):
        assert MerchantMember.objects.get(merchant__name="La Fromagerie du Port").user == user


def test_a_bad_siret_is_shown_on_its_field_and_nothing_is_created(client_a, town_a):
    category = category_create(town_a)

    response = client_a.post("/boutique/inscription/", form_data(category, siret=INVALID_SIRET))

    assert response.status_code == 200
    assert 'id="id_siret_error"' in response.content.decode()
    with inside(town_a):
        assert not Merchant.objects.exists()
        assert not User.objects.filter(email="claire@fromagerie.test").exists()


def test_town_b_s_categories_are_not_offered_nor_accepted_on_town_a(client_a, town_a, town_b):
    with inside(town_b):  # an id town A's sequence has not reached
        foreign = Category.objects.create(pk=9_000_000, name="Catégorie de Beta", slug="beta-cat")

    assert "Catégorie de Beta" not in client_a.get("/boutique/inscription/").content.decode()
    response = client_a.post("/boutique/inscription/", form_data(foreign))

    assert response.status_code == 200
    with inside(town_a):
        assert not Merchant.objects.exists()


def test_a_phone_that_is_not_a_number_is_shown_on_its_field_and_nothing_is_created(
    client_a, town_a
):
    category = category_create(town_a)

    response = client_a.post("/boutique/inscription/", form_data(category, phone="abc"))

    assert response.status_code == 200
    assert 'id="id_phone_error"' in response.content.decode()
    with inside(town_a):
        assert not Merchant.objects.exists()
        assert not User.objects.filter(email="claire@fromagerie.test").exists()
