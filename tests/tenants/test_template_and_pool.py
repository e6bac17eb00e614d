"""The template schema new towns are cloned from, and the pool of ready spares."""

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.models import SpareSchema, Town, VendorAuditEvent
from tenants.services.provisioning import ProvisioningMethod, town_provision
from tenants.services.spares import spare_pool_empty, spare_pool_refill, spare_schema_take
from tenants.services.template import (
    TEMPLATE_SCHEMA,
    migrations_applied_in,
    migrations_fingerprint,
    migrations_on_disk,
    template_schema_ensure,
)

TOWN = {"name": "Gamma", "slug": "gamma", "admin_email": "mairie@gamma.test"}


def spare_names() -> set[str]:
    return set(SpareSchema.objects.values_list("schema_name", flat=True))


@pytest.fixture
def empty_pool(db) -> None:
    spare_pool_empty()


class TestTemplate:
    def test_does_nothing_when_current(self, db):
        template_schema_ensure()
        applied = migrations_applied_in(TEMPLATE_SCHEMA)

        assert template_schema_ensure() is False
        assert migrations_applied_in(TEMPLATE_SCHEMA) == applied >= migrations_on_disk()

    def test_is_rebuilt_when_it_missed_a_migration(self, db):
        template_schema_ensure()
        with connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{TEMPLATE_SCHEMA}".django_migrations '
                "WHERE app = 'directory' AND name = '0001_initial' RETURNING app, name"
            )
            assert cursor.fetchall() == [("directory", "0001_initial")]

        assert template_schema_ensure() is True
        assert ("directory", "0001_initial") in migrations_applied_in(TEMPLATE_SCHEMA)
        assert migrations_applied_in(TEMPLATE_SCHEMA) >= migrations_on_disk()
        assert template_schema_ensure() is False
        assert connection.schema_name == "public"

    def test_is_built_when_missing(self, db):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{TEMPLATE_SCHEMA}" CASCADE')

        assert template_schema_ensure() is True
        assert schema_exists(TEMPLATE_SCHEMA)
        assert migrations_applied_in(TEMPLATE_SCHEMA) >= migrations_on_disk()

    def test_holds_no_town_content(self, db):
        """A clone starts empty: categories and the administrator come with provisioning."""
        template_schema_ensure()
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{TEMPLATE_SCHEMA}".directory_category')
            assert cursor.fetchone() == (0,)
            cursor.execute(f'SELECT count(*) FROM "{TEMPLATE_SCHEMA}".accounts_user')
            assert cursor.fetchone() == (0,)


class TestPool:
    def test_refill_makes_the_spares_asked_for(self, empty_pool):
        assert spare_pool_refill(size=2) == 2

        names = spare_names()
        assert len(names) == 2
        assert all(name.startswith("spare_") and schema_exists(name) for name in names)
        assert set(SpareSchema.objects.values_list("migrations_fingerprint", flat=True)) == {
            migrations_fingerprint()
        }
        assert all(migrations_applied_in(name) >= migrations_on_disk() for name in names)

    def test_refill_is_idempotent(self, empty_pool):
        spare_pool_refill(size=2)
        names = spare_names()

        assert spare_pool_refill(size=2) == 0
        assert spare_names() == names
        assert spare_pool_refill(size=3) == 1
        assert len(spare_names()) == 3 and names < spare_names()

    def test_refill_uses_the_configured_size(self, empty_pool, settings):
        settings.SPARE_SCHEMA_POOL_SIZE = 1

        assert spare_pool_refill() == 1
        assert len(spare_names()) == 1

    def test_stale_spares_are_dropped_and_replaced(self, empty_pool):
        spare_pool_refill(size=2)
        stale = SpareSchema.objects.order_by("pk").first()
        SpareSchema.objects.filter(pk=stale.pk).update(migrations_fingerprint="0" * 64)
        current = spare_names() - {stale.schema_name}

        assert spare_pool_refill(size=2) == 1

        assert not schema_exists(stale.schema_name)
        assert not SpareSchema.objects.filter(schema_name=stale.schema_name).exists()
        assert current < spare_names() and len(spare_names()) == 2

    def test_take_renames_a_spare(self, empty_pool):
        spare_pool_refill(size=2)
        first = SpareSchema.objects.order_by("pk").first().schema_name

        assert spare_schema_take(schema_name="gamma") is True

        assert schema_exists("gamma")
        assert not schema_exists(first)
        assert first not in spare_names() and len(spare_names()) == 1

    def test_take_ignores_stale_spares(self, empty_pool):
        spare_pool_refill(size=1)
        SpareSchema.objects.update(migrations_fingerprint="0" * 64)

        assert spare_schema_take(schema_name="gamma") is False
        assert not schema_exists("gamma")

    def test_take_from_an_empty_pool_is_false(self, empty_pool):
        assert spare_schema_take(schema_name="gamma") is False
        assert not schema_exists("gamma")

    def test_empty_drops_every_spare(self, empty_pool):
        spare_pool_refill(size=2)
        names = spare_names()

        spare_pool_empty()

        assert spare_names() == set()
        assert not any(schema_exists(name) for name in names)


class TestProvisioningWays:
    def test_auto_takes_a_spare_when_one_is_ready(self, empty_pool):
        spare_pool_refill(size=1)
        (spare,) = spare_names()

        town = town_provision(**TOWN)

        assert spare_names() == set()
        assert not schema_exists(spare) and schema_exists(town.schema_name)
        assert VendorAuditEvent.objects.get(town_schema="gamma").detail == "pool"

    def test_auto_clones_when_the_pool_is_empty(self, empty_pool):
        town = town_provision(**TOWN)

        assert schema_exists(town.schema_name)
        assert VendorAuditEvent.objects.get(town_schema="gamma").detail == "clone"

    def test_clone_leaves_the_pool_alone(self, empty_pool):
        spare_pool_refill(size=1)
        names = spare_names()

        town_provision(**TOWN, method=ProvisioningMethod.CLONE)

        assert spare_names() == names
        assert VendorAuditEvent.objects.get(town_schema="gamma").detail == "clone"

    def test_pool_refuses_when_empty_and_creates_nothing(self, empty_pool):
        towns = Town.objects.count()

        with pytest.raises(RuntimeError, match="No spare schema is ready"):
            town_provision(**TOWN, method=ProvisioningMethod.POOL)

        assert Town.objects.count() == towns
        assert not schema_exists("gamma")

    def test_migrate_records_its_way(self, empty_pool):
        town_provision(**TOWN, method=ProvisioningMethod.MIGRATE)

        assert VendorAuditEvent.objects.get(town_schema="gamma").detail == "migrate"
        assert migrations_applied_in("gamma") >= migrations_on_disk()
