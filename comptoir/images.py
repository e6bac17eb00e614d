"""What an uploaded file really is, for every app that takes images."""

from django.core.files import File
from PIL import Image


def image_format_detect(upload: File) -> str | None:
    """Pillow's name for the upload's format ("JPEG", "PNG"…), or None when it is not an image
    Pillow can read whole (truncated, a decompression bomb, another kind of file).

    The name comes from the content, never from the file's name or its declared type; the file
    is left at its start, ready to be saved.
    """
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        image_format = None
    finally:
        upload.seek(0)
    return image_format
