"""The tenants app's periodic tasks named in the beat schedule."""

from django.conf import settings
from django_tenants.utils import schema_exists

from tenants.models import SpareSchema
from tenants.tasks import spare_pool_refill


def test_beat_schedule_names_registered_tasks():
    from comptoir.celery import app

    # What a worker does at start: import every app's tasks module (autodiscovery).
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_spare_pool_refill_fills_the_pool_once(db, settings):
    settings.SPARE_SCHEMA_POOL_SIZE = 1

    made_first = spare_pool_refill.delay().get()
    made_again = spare_pool_refill.delay().get()

    assert (made_first, made_again) == (1, 0)
    spare = SpareSchema.objects.get()
    assert schema_exists(spare.schema_name)
