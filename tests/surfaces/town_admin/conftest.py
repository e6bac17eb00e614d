import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from comptoir.accounts.models import User
from comptoir.routing import town_routing_forget
from tenants.models import Town
from tenants.services.branding import BRANDING_FIELDS
from tests.conftest import user_create


@pytest.fixture(autouse=True)
def _fresh_routing_cache() -> Iterator[None]:
    """Branding changes reach the per-process routing cache; a rolled-back test must not leave
    its town there for the next one."""
    town_routing_forget()
    yield
    town_routing_forget()


@pytest.fixture
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def shopper_a(town_a: Town) -> User:
    return user_create(town_a, "shopper@alpha.test", full_name="Sacha Shopper")


def image_upload(
    name: str = "photo.png", *, image_format: str = "PNG", size: tuple[int, int] = (32, 16)
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def branding_of(town: Town) -> dict[str, object]:
    """The town's saved branding, read afresh, to compare before and after."""
    saved = Town.objects.get(pk=town.pk)
    return {
        name: getattr(saved, name).name if name in ("logo", "hero_image") else getattr(saved, name)
        for name in sorted(BRANDING_FIELDS)
    }


def stored_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
