"""An upload's image format is read from its content, and the file is left ready to save."""

import io

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
