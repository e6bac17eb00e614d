"""Pictures for the demo, drawn with Pillow: coloured shapes and initials, nothing downloaded.

Drawing is deterministic (the same words give the same picture) and the encoded bytes are kept
for the process, so three towns selling the same loaf pay for its picture once.
"""

import hashlib
import io
import unicodedata
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

PRODUCT_PIXELS = 480
THUMBNAIL_PIXELS = 400
LOGO_PIXELS = 240
BANNER_SIZE = (960, 540)


@dataclass(frozen=True)
class Renditions:
    """A product photo as catalogue stores it: the image, its JPEG thumbnail and its WebP."""

    image: bytes
    thumbnail: bytes
    webp: bytes


def initials(text: str, *, letters: int = 2) -> str:
    """ "Miel de lavande" → "ML": the first letters of the first words that are not small ones."""
    small = {"de", "du", "des", "la", "le", "les", "l", "d", "à", "au", "aux", "en", "et", "a"}
    words = [w for w in text.replace("'", " ").replace("(", " ").split() if w[:1].isalpha()]
    chosen = [w for w in words if w.lower() not in small] or words or ["?"]
    letters_chosen = "".join(word[0] for word in chosen[:letters]).upper()
    # Pillow's built-in font has no accented capitals: "É" is drawn as "E".
    return unicodedata.normalize("NFKD", letters_chosen).encode("ascii", "ignore").decode() or "?"


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


def _draw(text: str, colour: tuple[int, int, int], size: tuple[int, int]) -> Image.Image:
    """A background of the colour, three shapes placed by a hash of the text, the initials."""
    width, height = size
    digest = hashlib.sha256(text.encode()).digest()
    image = Image.new("RGB", size, _shade(colour, 1.25))
    draw = ImageDraw.Draw(image)
    for index in range(3):
        x = digest[index * 3] / 255 * width
        y = digest[index * 3 + 1] / 255 * height
        radius = (0.25 + digest[index * 3 + 2] / 255 * 0.35) * min(size)
        fill = _shade(colour, (0.7, 0.95, 1.5)[index])
        box = (x - radius, y - radius, x + radius, y + radius)
        if digest[10 + index] % 2:
            draw.ellipse(box, fill=fill)
        else:
            draw.rounded_rectangle(box, radius=radius / 4, fill=fill)
    font = ImageFont.load_default(size=round(min(size) * 0.36))
    draw.text(
        (width / 2, height / 2),
        initials(text),
        font=font,
        fill="white",
        anchor="mm",
        stroke_width=max(2, min(size) // 80),
        stroke_fill=_shade(colour, 0.45),
    )
    return image


def _encoded(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


@cache
def product_renditions(text: str, colour: tuple[int, int, int]) -> Renditions:
    image = _draw(text, colour, (PRODUCT_PIXELS, PRODUCT_PIXELS))
    thumbnail = image.resize((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    return Renditions(
        image=_encoded(image, "JPEG", quality=85),
        thumbnail=_encoded(thumbnail, "JPEG", quality=82),
        # method 0: the fastest encoder; a demo picture of flat colours loses nothing.
        webp=_encoded(image, "WEBP", quality=80, method=0),
    )


@cache
def logo(text: str, colour: tuple[int, int, int]) -> bytes:
    return _encoded(_draw(text, colour, (LOGO_PIXELS, LOGO_PIXELS)), "PNG")


@cache
def banner(text: str, colour: tuple[int, int, int]) -> bytes:
    return _encoded(_draw(text, colour, BANNER_SIZE), "JPEG", quality=85)
