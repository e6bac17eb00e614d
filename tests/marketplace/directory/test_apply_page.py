"""/boutique/inscription/: a person applies to list their shop, on the town's host."""

import pytest

from comptoir.accounts.models import User
from marketplace.directory.models import Category, Merchant, MerchantMember
from tests.conftest import TEST_PASSWORD, inside, signed_in, user_create
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


def test_applying_creates_a_pending_shop_signs_in_and_tells_the_admins(
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
    assert int(client_a.session["_auth_user_id"]) == member.user.pk
    assert admin_a.email in mailoutbox[0].to
    assert client_a.get("/boutique/inscription/merci/").status_code == 200


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


def test_an_existing_e_mail_with_a_wrong_password_is_refused_on_the_form(client_a, town_a):
    user_create(town_a, "claire@fromagerie.test")
    category = category_create(town_a)

    response = client_a.post(
        "/boutique/inscription/", form_data(category, password="pas-le-bon-mot")
    )

    assert response.status_code == 200
    assert 'id="id_password_error"' in response.content.decode()
    with inside(town_a):
        assert not Merchant.objects.exists()
    assert "_auth_user_id" not in client_a.session


def test_an_existing_account_applies_with_its_password(client_a, town_a):
    user = user_create(town_a, "claire@fromagerie.test")
    category = category_create(town_a)

    response = client_a.post("/boutique/inscription/", form_data(category, password=TEST_PASSWORD))

    assert response.status_code == 302
    with inside(town_a):
        assert MerchantMember.objects.get().user == user


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
