"""A town's console page: figures, host names, audit trail, status changes and deletion."""

import pytest
from django.core.files.storage import storages
from django.utils import timezone
from django_tenants.utils import schema_exists

from comptoir.routing import town_for_host
from tenants.models import Domain, Town, TownStats, VendorAuditEvent


def _status_of(town: Town) -> str:
    return Town.objects.values_list("status", flat=True).get(pk=town.pk)


def _audit_actions(town: Town) -> list[str]:
    return list(
        VendorAuditEvent.objects.filter(town_schema=town.schema_name)
        .order_by("pk")
        .values_list("action", flat=True)
    )


class TestPage:
    def test_shows_domains_figures_and_audit_trail(self, console, town_a):
        TownStats.objects.create(
            town=town_a, merchants=7, products=42, orders=9, refreshed_at=timezone.now()
        )
        VendorAuditEvent.objects.create(
            town_name=town_a.name,
            town_schema=town_a.schema_name,
            action=VendorAuditEvent.Action.SUSPEND,
            actor_email="someone@comptoir.test",
        )

        response = console.get("/console/villes/alpha/")

        assert response.status_code == 200
        body = response.content.decode()
        assert "alpha.comptoir.test" in body
        assert "<dd>7</dd>" in body and "<dd>42</dd>" in body and "<dd>9</dd>" in body
        assert [event.action for event in response.context["audit_trail"]] == [
            "suspend",
            "provision",
        ]
        assert "someone@comptoir.test" in body
        assert '<th scope="col">Action</th>' in body

    def test_the_brand_is_comptoir_not_the_town_shown(self, console, town_a):
        body = console.get("/console/villes/alpha/").content.decode()

        assert '<span class="brand-name">Comptoir</span>' in body

    def test_never_counted_figures_show_dashes(self, console, town_a):
        response = console.get("/console/villes/alpha/")

        assert response.content.decode().count("<dd>—</dd>") == 4  # INSEE code and figures

    def test_shows_only_the_actions_the_status_allows(self, console, town_a):
        active = console.get("/console/villes/alpha/").context
        Town.objects.filter(pk=town_a.pk).update(status=Town.Status.ARCHIVED)
        archived = console.get("/console/villes/alpha/").context

        assert (active["can_suspend"], active["can_activate"], active["can_archive"]) == (
            True,
            False,
            True,
        )
        assert active["can_delete"] is False
        assert (archived["can_suspend"], archived["can_archive"], archived["can_delete"]) == (
            False,
            False,
            True,
        )

    @pytest.mark.parametrize("extra_events", [1, 6])
    def test_answers_in_a_constant_number_of_queries(
        self, console, town_a, extra_events, django_assert_num_queries
    ):
        for _ in range(extra_events):
            VendorAuditEvent.objects.create(
                town_name=town_a.name, town_schema=town_a.schema_name, action="suspend"
            )
        Domain.objects.create(domain="commerces.alpha.fr", tenant=town_a, is_primary=False)

        # User, devices, town with figures, its domains, its audit trail: each after
        # django-tenants' SET search_path
        with django_assert_num_queries(10):
            response = console.get("/console/villes/alpha/")

        assert response.status_code == 200

    def test_unknown_town_is_a_404(self, console):
        assert console.get("/console/villes/nowhere/").status_code == 404

    def test_audit_trail_is_the_towns_own(self, console, town_a, town_b):
        VendorAuditEvent.objects.create(
            town_name=town_b.name,
            town_schema=town_b.schema_name,
            action="suspend",
            actor_email="beta-only@comptoir.test",
        )

        response = console.get("/console/villes/alpha/")

        assert "beta-only@comptoir.test" not in response.content.decode()


class TestStatus:
    @pytest.mark.parametrize(
        ("start", "status", "action"),
        [
            ("active", "suspended", "suspend"),
            ("suspended", "active", "reactivate"),
            ("active", "archived", "archive"),
            ("archived", "active", "reactivate"),
        ],
    )
    def test_changes_the_status_audited(self, console, town_a, vendor_staff, start, status, action):
        Town.objects.filter(pk=town_a.pk).update(status=start)

        response = console.post("/console/villes/alpha/statut/", {"status": status})

        assert response.status_code == 302
        assert response["Location"] == "/console/villes/alpha/"
        assert _status_of(town_a) == status
        event = VendorAuditEvent.objects.filter(town_schema="alpha").latest("pk")
        assert (event.action, event.actor_email) == (action, vendor_staff.email)

    def test_a_refused_move_says_why_and_changes_nothing(self, console, town_a):
        Town.objects.filter(pk=town_a.pk).update(status=Town.Status.ARCHIVED)

        response = console.post(
            "/console/villes/alpha/statut/", {"status": "suspended"}, follow=True
        )

        assert _status_of(town_a) == "archived"
        assert _audit_actions(town_a) == ["provision"]
        assert "cannot become" in response.content.decode()

    def test_an_unknown_status_changes_nothing(self, console, town_a):
        response = console.post("/console/villes/alpha/statut/", {"status": "deleted"})

        assert response.status_code == 302
        assert _status_of(town_a) == "active"
        assert _audit_actions(town_a) == ["provision"]

    def test_only_post_changes_a_status(self, console, town_a):
        assert console.get("/console/villes/alpha/statut/?status=suspended").status_code == 405
        assert _status_of(town_a) == "active"

    def test_unknown_town_is_a_404(self, console):
        assert (
            console.post("/console/villes/nowhere/statut/", {"status": "active"}).status_code == 404
        )


class TestDomain:
    def test_adds_a_custom_domain_that_routes_to_the_town(self, console, town_a, vendor_staff):
        assert town_for_host("commerces.alpha.fr") is None  # cached as unknown

        response = console.post("/console/villes/alpha/", {"domain": " Commerces.Alpha.FR. "})

        assert response.status_code == 302
        domain = Domain.objects.get(domain="commerces.alpha.fr")
        assert (domain.tenant_id, domain.is_primary) == (town_a.pk, False)
        assert town_for_host("commerces.alpha.fr").pk == town_a.pk
        event = VendorAuditEvent.objects.filter(town_schema="alpha").latest("pk")
        assert (event.action, event.detail, event.actor_email) == (
            "domain_add",
            "commerces.alpha.fr",
            vendor_staff.email,
        )

    @pytest.mark.parametrize(
        "bad",
        [
            "",
            "localhost",
            "https://commerces.alpha.fr/",
            "commerces alpha.fr",
            "-commerces.alpha.fr",
            "commerces.alpha.123",
            f"{'a' * 64}.fr",
            "gamma.comptoir.test",
            "comptoir.test",
        ],
    )
    def test_bad_host_names_are_refused(self, console, town_a, bad):
        response = console.post("/console/villes/alpha/", {"domain": bad})

        assert response.status_code == 200
        assert response.context["domain_form"].errors["domain"]
        assert Domain.objects.filter(tenant=town_a).count() == 1
        assert _audit_actions(town_a) == ["provision"]

    def test_a_host_name_of_another_town_is_refused(self, console, town_a, town_b):
        Domain.objects.create(domain="commerces.beta.fr", tenant=town_b, is_primary=False)

        response = console.post("/console/villes/alpha/", {"domain": "commerces.beta.fr"})

        assert response.status_code == 200
        assert response.context["domain_form"].errors["domain"] == [
            "“commerces.beta.fr” already answers for a town."
        ]
        assert Domain.objects.get(domain="commerces.beta.fr").tenant_id == town_b.pk
        assert Domain.objects.filter(tenant=town_a).count() == 1


class TestDelete:
    def test_an_active_town_cannot_be_deleted(self, console, town_a):
        page = console.get("/console/villes/alpha/supprimer/")
        post = console.post("/console/villes/alpha/supprimer/", {"confirm_slug": "alpha"})

        assert page.status_code == post.status_code == 302
        assert Town.objects.filter(slug="alpha").exists()
        assert schema_exists("alpha")

    def test_confirmation_page_asks_for_the_slug(self, console, town_a, django_assert_num_queries):
        Town.objects.filter(pk=town_a.pk).update(status=Town.Status.ARCHIVED)

        # User, devices, town: each after SET search_path
        with django_assert_num_queries(6):
            response = console.get("/console/villes/alpha/supprimer/")

        assert response.status_code == 200
        assert 'name="confirm_slug"' in response.content.decode()

    def test_a_wrong_slug_deletes_nothing(self, console, town_a):
        Town.objects.filter(pk=town_a.pk).update(status=Town.Status.ARCHIVED)

        response = console.post("/console/villes/alpha/supprimer/", {"confirm_slug": "beta"})

        assert response.status_code == 200
        assert response.context["form"].errors["confirm_slug"] == [
            "This is not the town's address."
        ]
        assert Town.objects.filter(slug="alpha").exists()
        assert schema_exists("alpha")

    def test_deletes_an_archived_town_after_a_backup(
        self, console, town_a, vendor_staff, backups_root
    ):
        # Alpha's schema is committed, so pg_dump (another connection) sees it; the drop and the
        # row deletion happen in this test's transaction and are rolled back after it.
        Town.objects.filter(pk=town_a.pk).update(status=Town.Status.ARCHIVED)

        response = console.post("/console/villes/alpha/supprimer/", {"confirm_slug": "alpha"})

        event = VendorAuditEvent.objects.get(town_schema="alpha", action="delete")
        try:
            assert response.status_code == 302
            assert response["Location"] == "/console/"
            assert not Town.objects.filter(slug="alpha").exists()
            assert not schema_exists("alpha")
            assert event.actor_email == vendor_staff.email
            assert (backups_root / event.detail).stat().st_size > 0
        finally:
            storages["backups"].delete(event.detail)


class TestBackup:
    def test_backs_the_town_up_and_lists_it_for_download(
        self, console, town_a, vendor_staff, backups_root, media_root
    ):
        # pg_dump sees Alpha's schema as committed; the audit rows stay in this transaction.
        response = console.post("/console/villes/alpha/sauvegarder/")

        assert response.status_code == 302
        assert response["Location"] == "/console/villes/alpha/"
        event = VendorAuditEvent.objects.get(town_schema="alpha", action="backup")
        assert event.actor_email == vendor_staff.email
        assert (backups_root / event.detail).stat().st_size > 0
        listing = console.get("/console/sauvegardes/")
        assert [backup.pk for backup in listing.context["backups"]] == [event.pk]
        download = console.get(f"/console/sauvegardes/{event.pk}/telecharger/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == (backups_root / event.detail).read_bytes()
        assert _audit_actions(town_a)[-1] == "backup_download"

    def test_the_nightly_task_backs_each_town_up_once_a_day(self, town_a, town_b, backups_root):
        from tenants.tasks import towns_backup_all

        assert towns_backup_all.delay().get() == 2
        assert towns_backup_all.delay().get() == 2  # again the same day: nothing more

        archives = sorted(path.name for path in backups_root.glob("*.tar"))
        day = timezone.now().strftime("%Y%m%d")
        assert archives == [f"alpha-{day}.tar", f"beta-{day}.tar"]
        assert VendorAuditEvent.objects.filter(action="backup").count() == 2
