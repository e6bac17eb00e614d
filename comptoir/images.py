"""What an uploaded file really is, for every app that takes images."""

from django.conf import settings
from django.core.files import File
from PIL import Image


def image_format_detect(upload: File) -> str | None:
    """Pillow's name for the upload's format ("JPEG", "PNG"…), or None when it is not an image
    Pillow can read whole (truncated, a decompression bomb, another kind of file) or has more
    pixels than IMAGE_MAX_PIXELS: a small file may decode into gigabytes, so the count is read
    from the header, before anything is decoded.

    The name comes from the content, never from the file's name or its declared type; the file
    is left at its start, ready to be saved.
    """
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            if image.width * image.height > settings.IMAGE_MAX_PIXELS:
                image_format = None
            else:
                image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        image_format = None
    finally:
        upload.seek(0)
    return image_format
