"""Media storage: every file a town stores sits under its schema name, on disk as on S3."""

from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

from comptoir.db import connection


class TownPrefixMixin:
    """Prefix stored names with the current schema. The prefix is computed on every save, never
    cached at the first town, and it is part of the stored name, so a name read back always says
    which town it belongs to."""

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        prefix = connection.schema_name
        if not name.startswith(f"{prefix}/"):
            name = f"{prefix}/{name}"
        return super().get_available_name(name, max_length=max_length)  # type: ignore[misc]


class TownFileSystemStorage(TownPrefixMixin, FileSystemStorage):
    pass


class TownS3Storage(TownPrefixMixin, S3Storage):
    pass
