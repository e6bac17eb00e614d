"""Celery, tenant-aware: a task runs in the schema of the request or task that sent it."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings.dev")

app = CeleryApp("comptoir")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
