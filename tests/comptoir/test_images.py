"""An upload's image format is read from its content, and the file is left ready to save."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from comptoir.images import image_format_detect


def _upload(image_format: str, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_the_format_comes_from_the_content_and_the_file_is_rewound(image_format):
    upload = _upload(image_format, "picture.gif")
    upload.read(3)

    assert image_format_detect(upload) == image_format
    assert upload.tell() == 0


def test_a_file_that_is_not_an_image_has_no_format():
    upload = SimpleUploadedFile("picture.png", b"%PDF-1.7 not an image")

    assert image_format_detect(upload) is None
    assert upload.tell() == 0


def test_a_truncated_image_has_no_format():
    whole = _upload("PNG", "picture.png").read()

    assert image_format_detect(SimpleUploadedFile("picture.png", whole[:40])) is None


def test_an_image_over_the_pixel_limit_is_refused_from_its_header(settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    buffer = io.BytesIO()
    Image.new("1", (101, 100)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("bomb.png", buffer.getvalue())

    assert image_format_detect(upload) is None
    assert upload.tell() == 0
    assert image_format_detect(_sized("PNG", (100, 100))) == "PNG"


def test_a_near_bomb_png_is_refused_at_the_default_limit():
    # 13,000 × 13,000 (169 MP): under Pillow's own bomb threshold, which only warns.
    assert image_format_detect(SimpleUploadedFile("bomb.png", _png_header(13_000, 13_000))) is None


def _png_header(width: int, height: int) -> bytes:
    """A PNG's signature and header chunk: enough for its size to be read, nothing to decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def _sized(image_format: str, size: tuple[int, int]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, format=image_format)
    return SimpleUploadedFile("picture.png", buffer.getvalue())
