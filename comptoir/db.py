"""The database connection, typed as django-tenants' backend makes it (settings' ENGINE).

`connection` here is `django.db.connection` itself: django-stubs types it as any backend's
wrapper, which knows nothing of schemas; this names what django-tenants' wrapper adds.
"""

from typing import TYPE_CHECKING, cast

from django.db import connection as _connection

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.backends.base.base import BaseDatabaseWrapper

    from tenants.models import Town

    class TownDatabaseWrapper(BaseDatabaseWrapper):
        """django_tenants.postgresql_backend.base.DatabaseWrapper, which ships no types."""

        schema_name: str
        # The Town set by the routing middleware or a task's header; under `schema_context`,
        # django-tenants' FakeTenant, which has a `schema_name` and nothing else.
        tenant: object
        # django-stubs still has Django 4's (savepoint ids, callback) pairs; Django 5 added
        # `robust` (transaction.on_commit's argument) as a third item.
        run_on_commit: list[tuple[set[str], Callable[[], object], bool]]  # type: ignore[assignment]

        def set_tenant(self, tenant: Town, include_public: bool = True) -> None: ...

        def set_schema(self, schema_name: str, include_public: bool = True) -> None: ...

        def set_schema_to_public(self) -> None: ...


connection = cast("TownDatabaseWrapper", _connection)
