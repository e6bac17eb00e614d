"""town_provision: a ready town from one call, or nothing at all."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context, schema_exists

from comptoir.accounts.models import User
from comptoir.accounts.tasks import account_invitation_send
from marketplace.directory.models import Category
from marketplace.directory.services.categories import _default_tree, categories_create_defaults
from tenants import hooks
from tenants.errors import TownInputInvalid
from tenants.models import Domain, SpareSchema, Town, VendorAuditEvent
from tenants.services import provisioning
from tenants.services.provisioning import ProvisioningMethod, town_provision
from tenants.services.spares import spare_pool_empty, spare_pool_refill

NEW_PASSWORD = "Une-Nouvelle-Clef-2024"
VALID = {"name": "Gamma-la-Ville", "slug": "gamma", "admin_email": "mairie@gamma.test"}


def platform_counts() -> dict[str, int]:
    """What provisioning could leave behind, counted in the public schema and the catalogue."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace")
        (schemas,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM information_schema.schemata")
        (schemata,) = cursor.fetchone()
    return {
        "towns": Town.objects.count(),
        "domains": Domain.objects.count(),
        "audit_events": VendorAuditEvent.objects.count(),
        "spares": SpareSchema.objects.count(),
        "public_users": User.objects.count(),
        "schemas": schemas,
        "schemata": schemata,
    }


def french_default_categories() -> set[tuple[str, str | None]]:
    with translation.override(settings.LANGUAGE_CODE):
        tree = _default_tree()
    return {(name, None) for name, _kind, _children in tree} | {
        (child, name) for name, _kind, children in tree for child in children
    }


@pytest.fixture
def languages_seen(monkeypatch) -> list[str]:
    """The active language each time provisioning creates the default categories."""
    seen: list[str] = []

    def recording() -> int:
        seen.append(translation.get_language())
        return categories_create_defaults()

    monkeypatch.setitem(hooks._town_setups, "directory.categories", recording)
    return seen


class TestSuccess:
    def test_clone_makes_a_ready_town(self, db, languages_seen, django_capture_on_commit_callbacks):
        # Given a vendor whose own browser speaks English
        with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
            town = town_provision(
                **VALID,
                insee_code="73008",
                actor_email="staff@comptoir.test",
                method=ProvisioningMethod.CLONE,
            )

        town.refresh_from_db()
        assert (town.name, town.slug, town.schema_name, town.insee_code, town.status) == (
            "Gamma-la-Ville",
            "gamma",
            "gamma",
            "73008",
            Town.Status.TRIAL,
        )
        assert schema_exists("gamma")
        assert list(Domain.objects.filter(tenant=town).values_list("domain", "is_primary")) == [
            ("gamma.comptoir.test", True)
        ]
        # The town's content is written in the platform's language, not the vendor's.
        assert languages_seen == [settings.LANGUAGE_CODE]
        with schema_context("gamma"):
            categories = {
                (c.name, c.parent.name if c.parent else None)
                for c in Category.objects.select_related("parent")
            }
            admin = User.objects.get()
        assert categories == french_default_categories()
        assert {("Alimentation", None), ("Boulangerie", "Alimentation")} <= categories
        assert (admin.email, admin.is_town_admin, admin.is_active) == (
            "mairie@gamma.test",
            True,
            True,
        )
        # No password signs in until the administrator chooses one from the invitation.
        assert not admin.check_password("")
        assert not admin.check_password(NEW_PASSWORD)
        event = VendorAuditEvent.objects.get(town_schema="gamma")
        assert (event.town_name, event.action, event.actor_email, event.detail) == (
            "Gamma-la-Ville",
            VendorAuditEvent.Action.PROVISION,
            "staff@comptoir.test",
            "clone",
        )

    def test_normalises_the_slug_insee_code_and_email(self, db, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            town = town_provision(
                name="  Ajaccio  ",
                slug=" Ajaccio ",
                insee_code="2a004",
                admin_email=" Maire@AJACCIO.test ",
            )

        assert (town.name, town.slug, town.insee_code) == ("Ajaccio", "ajaccio", "2A004")
        assert Domain.objects.get(tenant=town).domain == "ajaccio.comptoir.test"
        with schema_context("ajaccio"):
            assert list(User.objects.values_list("email", flat=True)) == ["maire@ajaccio.test"]

    def test_a_hyphenated_slug_gets_an_underscored_schema(
        self, db, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            town = town_provision(name="Saint-Malo", slug="saint-malo", admin_email="m@malo.test")

        assert (town.slug, town.schema_name) == ("saint-malo", "saint_malo")
        assert schema_exists("saint_malo")
        assert Domain.objects.get(tenant=town).domain == "saint-malo.comptoir.test"


class TestInvitation:
    def test_is_sent_once_and_only_after_commit(
        self, db, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            town = town_provision(**VALID)
            assert mailoutbox == []

        assert [m.to for m in mailoutbox] == [["mairie@gamma.test"]]
        assert town.name in mailoutbox[0].subject
        # The task is idempotent: a retry or a duplicate delivery sends nothing more.
        with schema_context("gamma"):
            admin = User.objects.get()
        account_invitation_send.apply(args=[admin.pk], headers={"_schema_name": "gamma"})
        assert len(mailoutbox) == 1

    def test_nothing_is_sent_when_provisioning_fails(
        self, db, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
    ):
        def failing(*, email: str, town: Town) -> User:
            raise RuntimeError("mail server exploded")

        monkeypatch.setattr(provisioning, "town_admin_invite", failing)

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            town_provision(**VALID)

        assert callbacks == []
        assert mailoutbox == []

    def test_link_activates_the_account_once(
        self, db, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            town_provision(**VALID)
        link = re.search(r"http://gamma\.comptoir\.test(/compte/activer/\S+/)", mailoutbox[0].body)
        assert link is not None
        client = Client(HTTP_HOST="gamma.comptoir.test")

        # The link checks its token, then hides it behind a redirect (Django's reset flow).
        form_page = client.get(link.group(1), follow=True)
        assert form_page.status_code == 200
        assert form_page.context["validlink"] is True
        done = client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

        assert done.status_code == 302
        assert done["Location"] == "/gestion/"
        assert client.get("/gestion/").status_code == 200
        with schema_context("gamma"):
            assert User.objects.get().check_password(NEW_PASSWORD)
        # A second use, even from another browser, is refused.
        again = Client(HTTP_HOST="gamma.comptoir.test").get(link.group(1), follow=True)
        assert again.status_code == 200
        assert again.context["validlink"] is False

    def test_link_means_nothing_in_another_town(
        self, db, town_b, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            town_provision(**VALID)
        path = re.search(r"(/compte/activer/\S+/)", mailoutbox[0].body).group(1)

        page = Client(HTTP_HOST=town_b.primary_domain_name).get(path, follow=True)

        assert page.context["validlink"] is False


BAD_INPUTS = [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"slug": ""}, "slug"),
    ({"slug": "g"}, "slug"),
    ({"slug": "1gamma"}, "slug"),
    ({"slug": "gam_ma"}, "slug"),
    ({"slug": "gam--ma"}, "slug"),
    ({"slug": "-gamma"}, "slug"),
    ({"slug": "gamma-"}, "slug"),
    ({"slug": "gammà"}, "slug"),
    ({"slug": "gamma.ville"}, "slug"),
    ({"slug": "g" * 51}, "slug"),
    ({"slug": "www"}, "slug"),
    ({"slug": "api"}, "slug"),
    ({"slug": "console"}, "slug"),
    ({"slug": "WWW"}, "slug"),
    ({"slug": "town-template"}, "slug"),
    ({"slug": "pg-catalog"}, "slug"),
    ({"slug": "spare-1234"}, "slug"),
    ({"slug": "alpha"}, "slug"),
    ({"slug": "ALPHA"}, "slug"),
    ({"insee_code": "1234"}, "insee_code"),
    ({"insee_code": "123456"}, "insee_code"),
    ({"insee_code": "2C123"}, "insee_code"),
    ({"insee_code": "2A04"}, "insee_code"),
    ({"insee_code": "ABCDE"}, "insee_code"),
    ({"admin_email": ""}, "admin_email"),
    ({"admin_email": "mairie"}, "admin_email"),
    ({"admin_email": "mairie@gamma"}, "admin_email"),
    ({"admin_email": "mairie@@gamma.test"}, "admin_email"),
]


class TestBadInput:
    @pytest.mark.parametrize(("change", "field"), BAD_INPUTS)
    def test_is_refused_and_creates_nothing(
        self, db, change, field, mailoutbox, django_capture_on_commit_callbacks
    ):
        before = platform_counts()

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(TownInputInvalid) as refused,
        ):
            town_provision(**(VALID | change))

        assert list(refused.value.errors) == [field]
        assert all(refused.value.errors[field])
        assert platform_counts() == before
        assert callbacks == []
        assert mailoutbox == []

    def test_every_bad_field_is_reported_at_once(self, db):
        with translation.override("en"), pytest.raises(TownInputInvalid) as refused:
            town_provision(name="", slug="www", insee_code="1234", admin_email="nope")

        assert refused.value.errors == {
            "name": ["Give the town's name."],
            "slug": ["The address “www” is reserved."],
            "insee_code": [
                "An INSEE code is five characters: digits, or 2A/2B followed by three digits."
            ],
            "admin_email": ["Enter a valid e-mail address."],
        }

    def test_a_taken_slug_names_the_slug(self, db, town_a):
        with translation.override("en"), pytest.raises(TownInputInvalid) as refused:
            town_provision(**(VALID | {"slug": "Alpha"}))

        assert refused.value.errors == {"slug": ["The address “alpha” is already taken."]}

    def test_a_slug_whose_host_already_answers_is_taken(self, db, town_a):
        Domain.objects.create(domain="gamma.comptoir.test", tenant=town_a, is_primary=False)
        before = platform_counts()

        with translation.override("en"), pytest.raises(TownInputInvalid) as refused:
            town_provision(**VALID)

        assert refused.value.errors == {"slug": ["The address “gamma” is already taken."]}
        assert platform_counts() == before
        assert Domain.objects.get(domain="gamma.comptoir.test").tenant_id == town_a.pk

    def test_a_slug_whose_schema_exists_without_a_town_is_taken(self, db):
        with connection.cursor() as cursor:
            cursor.execute('CREATE SCHEMA "gamma"')
            cursor.execute('CREATE TABLE "gamma".precious (id integer)')
        before = platform_counts()

        with translation.override("en"), pytest.raises(TownInputInvalid) as refused:
            town_provision(**VALID)

        assert refused.value.errors == {"slug": ["The address “gamma” is already taken."]}
        assert platform_counts() == before
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('gamma.precious') IS NOT NULL")
            assert cursor.fetchone() == (True,)


class TestFailureMidWay:
    """PostgreSQL's DDL is transactional: a failure after the schema exists takes it back."""

    @pytest.mark.parametrize(
        "method", [ProvisioningMethod.CLONE, ProvisioningMethod.MIGRATE, ProvisioningMethod.POOL]
    )
    def test_leaves_no_schema_town_or_domain(
        self, db, method, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
    ):
        spare_pool_empty()
        if method is ProvisioningMethod.POOL:
            spare_pool_refill(size=1)
        spare_names = set(SpareSchema.objects.values_list("schema_name", flat=True))
        before = platform_counts()

        def exploding() -> int:
            assert schema_exists("gamma")  # the failure really comes after the schema
            raise RuntimeError("disk full")

        monkeypatch.setitem(hooks._town_setups, "directory.categories", exploding)

        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError, match="disk full"),
        ):
            town_provision(**VALID, method=method)

        assert not schema_exists("gamma")
        assert not Town.objects.filter(slug="gamma").exists()
        assert not Domain.objects.filter(domain="gamma.comptoir.test").exists()
        assert platform_counts() == before
        # A spare taken by the failed provisioning is back in the pool, under its own name.
        assert set(SpareSchema.objects.values_list("schema_name", flat=True)) == spare_names
        assert all(schema_exists(name) for name in spare_names)
        assert mailoutbox == []
        assert connection.schema_name == "public"
