"""The town whose schema is active, and its clock.

The platform does not import `tenants`: it reaches the Town model through django-tenants'
`get_tenant_model()`, as Django code reaches the user model through `get_user_model()`.
"""

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django_tenants.utils import get_public_schema_name, get_tenant_model

from comptoir.db import connection

if TYPE_CHECKING:
    from tenants.models import Town


def current_town() -> "Town":
    """The Town whose schema is active; read once, then kept on the connection.

    A request or a Celery task already sets the real Town on the connection; `schema_context`
    (scripts, tests) only sets a schema name, so the town is then read once from the public
    table and set back on the connection, which keeps the same schema.
    """
    town_model = get_tenant_model()
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, town_model):
        return cast("Town", tenant)
    if connection.schema_name == get_public_schema_name():
        raise LookupError("No town is active: the public schema is.")
    town = town_model.objects.get(schema_name=connection.schema_name)
    connection.set_tenant(town)
    return cast("Town", town)


def town_time_zone() -> ZoneInfo:
    """The active town's time zone; the platform's (Europe/Paris) in the public schema."""
    if connection.schema_name == get_public_schema_name():
        return ZoneInfo(settings.TIME_ZONE)
    return ZoneInfo(current_town().time_zone or settings.TIME_ZONE)


def town_now(*, tz: tzinfo | None = None) -> datetime:
    """Now, as an aware datetime in the town's time zone."""
    return datetime.now(tz or town_time_zone())
