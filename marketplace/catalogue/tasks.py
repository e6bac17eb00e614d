"""Background work of the catalogue: photo renditions."""

import io
import logging
from pathlib import PurePosixPath
from typing import IO

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.catalogue.models import ProductPhoto

logger = logging.getLogger(__name__)

THUMBNAIL_PIXELS = 400
WEBP_MAX_PIXELS = 1600


def _renditions(source: IO[bytes]) -> tuple[bytes, bytes]:
    """(a JPEG at most 400 px a side, a WebP at most 1600 px a side) of the photo."""
    with Image.open(source) as opened:
        # A JPEG is decoded at the smallest scale that still covers the WebP (1/2, 1/4, 1/8),
        # not at full size: a 24-megapixel photo then takes a sixteenth of the memory.
        opened.draft(None, (WEBP_MAX_PIXELS, WEBP_MAX_PIXELS))
        image = ImageOps.exif_transpose(opened)
        image.load()
    webp = image.copy()
    webp.thumbnail((WEBP_MAX_PIXELS, WEBP_MAX_PIXELS))
    if webp.mode not in ("RGB", "RGBA"):
        webp = webp.convert("RGBA" if "A" in webp.getbands() else "RGB")
    webp_bytes = io.BytesIO()
    webp.save(webp_bytes, "WEBP", quality=80, method=4)

    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    if "A" in thumb.getbands() or thumb.mode == "P":
        # JPEG has no transparency: lay the photo on white rather than on black.
        rgba = thumb.convert("RGBA")
        thumb = Image.new("RGB", rgba.size, "white")
        thumb.paste(rgba, mask=rgba.getchannel("A"))
    else:
        thumb = thumb.convert("RGB")
    thumb_bytes = io.BytesIO()
    thumb.save(thumb_bytes, "JPEG", quality=82, optimize=True, progressive=True)
    return thumb_bytes.getvalue(), webp_bytes.getvalue()


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def product_photo_process(self, photo_id: int) -> str:
    """Make the photo's 400 px JPEG thumbnail and its WebP, once.

    Runs in the town's schema (tenant-schemas-celery), so the files land under its prefix.
    The row is locked while working: a retried or duplicated task finds the work done and stops.
    A storage failure is retried; a file that is not an image is left alone and logged.
    """
    with transaction.atomic():
        photo = ProductPhoto.objects.select_for_update().filter(pk=photo_id).first()
        if photo is None:
            return "gone"
        if photo.thumbnail and photo.webp:
            return "done already"
        try:
            with photo.image.open("rb") as source:
                thumb_bytes, webp_bytes = _renditions(source)
        except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError) as error:
            logger.warning("Photo %s is not a readable image: %s", photo_id, error)
            return "unreadable"
        except OSError as error:
            raise self.retry(exc=error) from error
        stem = PurePosixPath(photo.image.name or "").stem
        try:
            if not photo.thumbnail:
                photo.thumbnail.save(f"{stem}.jpg", ContentFile(thumb_bytes), save=False)
            if not photo.webp:
                photo.webp.save(f"{stem}.webp", ContentFile(webp_bytes), save=False)
        except OSError as error:
            raise self.retry(exc=error) from error
        photo.save(update_fields=["thumbnail", "webp"])
    return "made"
