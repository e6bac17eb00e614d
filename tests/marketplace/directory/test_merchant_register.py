"""Applying as a merchant: the application, its owner account, the town's administrators told."""

import pytest
from django.contrib.auth import authenticate
from django.http import HttpRequest

from comptoir.accounts.models import User
from comptoir.send_once.models import SentOnce
from marketplace.directory.errors import InvalidMerchantData
from marketplace.directory.models import Merchant, MerchantMember
from marketplace.directory.services.merchants import merchant_register
from marketplace.directory.tasks import (
    merchant_application_existing_account,
    merchant_application_notify,
)
from tests.conftest import TEST_PASSWORD, inside, user_create
from tests.marketplace.directory.conftest import INVALID_SIRET, VALID_SIRET, category_create

NEW_PASSWORD = "un-mot-de-passe-solide-42"


def register(town, category, **overrides):
    fields = {
        "trade_name": "La Fromagerie du Port",
        "category": category,
        "address": "3 quai de la République",
        "postcode": "73100",
        "city": "Alpha-sur-Mer",
        "email": "claire@fromagerie.test",
        "password": NEW_PASSWORD,
        "full_name": "Claire Dupont",
        "phone": "04 79 00 00 00",
        "siret": VALID_SIRET,
    } | overrides
    with inside(town):
        return merchant_register(**fields)


def counts(town):
    with inside(town):
        return Merchant.objects.count(), MerchantMember.objects.count(), User.objects.count()


def test_a_new_applicant_gets_a_pending_shop_and_an_owner_account(
    town_a, admin_a, django_capture_on_commit_callbacks, mailoutbox
):
    category = category_create(town_a, name="Fromagerie")

    with django_capture_on_commit_callbacks(execute=True):
        merchant = register(town_a, category)

    with inside(town_a):
        merchant.refresh_from_db()
        owner = MerchantMember.objects.select_related("user").get(merchant=merchant)
        assert merchant.status == Merchant.Status.PENDING
        assert merchant.slug == "la-fromagerie-du-port"
        assert merchant.email == "claire@fromagerie.test"
        assert merchant.siret == VALID_SIRET
        assert owner.role == MerchantMember.Role.OWNER
        assert owner.user.email == "claire@fromagerie.test"
        assert owner.user.full_name == "Claire Dupont"
        assert (
            authenticate(HttpRequest(), email="claire@fromagerie.test", password=NEW_PASSWORD)
            == owner.user
        )
        assert merchant.phone == "+33479000000"
        assert SentOnce.objects.filter(
            purpose="directory.merchant_application", key=str(merchant.pk)
        ).exists()
    to_admins, to_applicant = mailoutbox
    assert to_admins.to == ["mairie@alpha.test", admin_a.email]
    assert "La Fromagerie du Port" in to_admins.subject
    assert "http://alpha.comptoir.test/gestion/commercants/" in to_admins.body
    assert to_admins.body.count("04 79 00 00 00") == 1
    assert to_applicant.to == ["claire@fromagerie.test"]
    assert "La Fromagerie du Port" in to_applicant.body
    assert "http://alpha.comptoir.test/boutique/" in to_applicant.body


def test_the_notification_goes_to_this_towns_admins_only_and_once(
    town_a, town_b, admin_a, admin_b, django_capture_on_commit_callbacks, mailoutbox
):
    category = category_create(town_a)
    with django_capture_on_commit_callbacks(execute=True):
        merchant = register(town_a, category)

    with inside(town_a):
        merchant_application_notify.apply(args=[merchant.pk])

    assert [message.to for message in mailoutbox] == [
        ["mairie@alpha.test", admin_a.email],
        ["claire@fromagerie.test"],
    ]


@pytest.mark.parametrize("password", [TEST_PASSWORD, "not-the-password-at-all"])
def test_an_existing_account_s_e_mail_creates_nothing_and_tells_its_owner(
    town_a, admin_a, password, django_capture_on_commit_callbacks, mailoutbox
):
    """Whatever the password (its own or not), it is not checked: the account's owner is
    e-mailed how to apply from their account, and no shop is attached to it."""
    user = user_create(town_a, "claire@fromagerie.test")
    category = category_create(town_a)
    before = counts(town_a)

    with django_capture_on_commit_callbacks(execute=True):
        result = register(town_a, category, email="Claire@Fromagerie.test", password=password)

    assert result is None
    assert counts(town_a) == before
    with inside(town_a):
        user.refresh_from_db()
        assert user.last_login is None
        assert user.check_password(TEST_PASSWORD)
    (message,) = mailoutbox
    assert message.to == ["claire@fromagerie.test"]
    assert "La Fromagerie du Port" in message.body
    assert (
        "http://alpha.comptoir.test/compte/connexion/?next=%2Fboutique%2Finscription%2F"
        in message.body
    )
    assert "http://alpha.comptoir.test/compte/mot-de-passe/oublie/" in message.body


def test_the_existing_account_s_owner_is_told_once_however_the_task_is_retried(town_a, mailoutbox):
    user_create(town_a, "claire@fromagerie.test")

    with inside(town_a):
        sent = [
            merchant_application_existing_account.apply(
                args=["claire@fromagerie.test", "La Fromagerie du Port", "essai-1"]
            ).get()
            for _attempt in range(2)
        ]

    assert sent == [True, False]
    assert len(mailoutbox) == 1


def test_an_existing_account_s_e_mail_gets_the_password_rules_of_a_new_one(town_a, mailoutbox):
    """A weak password is refused the same way whether or not the e-mail has an account: the
    refusal tells nothing."""
    user_create(town_a, "claire@fromagerie.test")
    category = category_create(town_a)

    refusals = []
    for email in ("claire@fromagerie.test", "personne@fromagerie.test"):
        with pytest.raises(InvalidMerchantData) as refused:
            register(town_a, category, email=email, password="123")
        refusals.append(refused.value.errors)

    assert refusals[0] == refusals[1]
    assert set(refusals[0]) == {"password"}
    assert mailoutbox == []


def test_a_signed_in_person_applies_with_their_account(town_a):
    user = user_create(town_a, "paul@alpha.test")
    category = category_create(town_a)

    merchant = register(town_a, category, user=user, password=None, email="")

    with inside(town_a):
        assert MerchantMember.objects.get(merchant=merchant).user == user
    assert merchant.email == "paul@alpha.test"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"siret": INVALID_SIRET}, "siret"),
        ({"siret": "1234"}, "siret"),
        ({"trade_name": "   "}, "name"),
        ({"password": "123"}, "password"),
        ({"password": ""}, "password"),
        ({"email": "not-an-e-mail"}, "email"),
        ({"phone": "abc"}, "phone"),
        ({"phone": "04 79 00 00"}, "phone"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(
    town_a, overrides, field, django_capture_on_commit_callbacks, mailoutbox
):
    category = category_create(town_a)
    before = counts(town_a)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(InvalidMerchantData) as refused,
    ):
        register(town_a, category, **overrides)

    assert field in refused.value.errors
    assert counts(town_a) == before
    assert mailoutbox == []


def test_la_poste_sirets_follow_their_own_checksum(town_a):
    category = category_create(town_a)

    merchant = register(town_a, category, siret="356 000 000 49837")

    assert merchant.siret == "35600000049837"


def test_a_taken_name_gets_the_next_free_slug(town_a):
    category = category_create(town_a)
    register(town_a, category)

    second = register(town_a, category, email="autre@fromagerie.test")
    third = register(town_a, category, email="encore@fromagerie.test")

    assert second.slug == "la-fromagerie-du-port-2"
    assert third.slug == "la-fromagerie-du-port-3"


def test_an_application_lives_in_its_town_only(town_a, town_b):
    category = category_create(town_a)

    register(town_a, category)

    with inside(town_b):
        assert not Merchant.objects.filter(slug="la-fromagerie-du-port").exists()
        assert not User.objects.filter(email="claire@fromagerie.test").exists()
