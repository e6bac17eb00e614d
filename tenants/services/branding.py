"""A town's branding: logo, hero image, colours and the texts its portal shows.

The Town row lives in the public schema while its administrators work on the town's host, so the
update crosses to public explicitly. Uploaded images are stored while the town's schema is active,
which is what puts them under the town's own prefix (comptoir.storage.TownPrefixMixin).
"""

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context
from PIL import Image

from comptoir.accounts.models import User
from comptoir.images import image_format_detect
from comptoir.page_cache import shop_window_changed
from comptoir.phones import phone_normalise
from comptoir.routing import town_routing_forget
from tenants.errors import TownStateInvalid
from tenants.models import Town

logger = logging.getLogger(__name__)

COLOUR_FIELDS = ("primary_colour", "accent_colour")
IMAGE_FIELDS = ("logo", "hero_image")
# The longest text each field takes; the model's own limits where it has one.
TEXT_MAX_LENGTHS = {
    "tagline": 200,
    "welcome_text": 3000,
    "contact_email": 254,
    "contact_phone": 30,
    "contact_address": 255,
    "legal_notice": 20000,
    "accessibility_statement": 20000,
}
# A public portal must always publish these two (French law and the RGAA).
REQUIRED_TEXTS = ("legal_notice", "accessibility_statement")
BRANDING_FIELDS = frozenset(COLOUR_FIELDS + IMAGE_FIELDS + tuple(TEXT_MAX_LENGTHS))

IMAGE_MAX_BYTES = 5 * 1024 * 1024
# Formats every browser shows; the value is the extension the stored file gets.
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
# WCAG 2.1 AA for normal text: the header, buttons and links sit on these colours in white.
MIN_CONTRAST_WITH_WHITE = 4.5

_COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")


class TownBrandingInvalid(Exception):
    """Branding input refused; `errors` maps each field to its translated messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _channel_linear(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #RRGGBB colour, from 0 (black) to 1 (white)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return (
        0.2126 * _channel_linear(red)
        + 0.7152 * _channel_linear(green)
        + 0.0722 * _channel_linear(blue)
    )


def contrast_ratio(colour: str, other: str = "#ffffff") -> float:
    """WCAG contrast ratio of two #RRGGBB colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(colour), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_ratio_display(ratio: float) -> str:
    """The ratio as people read it (“4,47”), rounded down so a refused colour never shows 4,50."""
    return number_format(math.floor(ratio * 100) / 100, decimal_pos=2)


def colour_problem(value: str) -> str | None:
    """Why this value cannot be a brand colour, or None when it can."""
    if not _COLOUR_PATTERN.fullmatch(value):
        return _("Enter a colour as #RRGGBB, for example #1d4e89.")
    ratio = contrast_ratio(value)
    if ratio < MIN_CONTRAST_WITH_WHITE:
        return _(
            "White text on %(colour)s has a contrast ratio of %(ratio)s:1; at least 4.5:1 is "
            "needed for everyone to read it. Choose a darker colour."
        ) % {"colour": value.lower(), "ratio": contrast_ratio_display(ratio)}
    return None


@dataclass(frozen=True)
class ColourAssessment:
    """What the branding form's live preview says about a colour being typed."""

    colour: str  # the colour, lowercase, or "" when the value is not #RRGGBB
    ratio: str  # its contrast with white as displayed, or ""
    problem: str | None


def colour_assess(value: str) -> ColourAssessment:
    value = value.strip()
    if not _COLOUR_PATTERN.fullmatch(value):
        return ColourAssessment(colour="", ratio="", problem=colour_problem(value))
    return ColourAssessment(
        colour=value.lower(),
        ratio=contrast_ratio_display(contrast_ratio(value)),
        problem=colour_problem(value),
    )


def _image_problem(upload: File) -> str | None:
    if upload.size is not None and upload.size > IMAGE_MAX_BYTES:
        return _("The image weighs %(size)s MB; at most 5 MB is allowed.") % {
            "size": number_format(upload.size / (1024 * 1024), decimal_pos=1)
        }
    if image_format_detect(upload) not in IMAGE_FORMATS:
        return _("This file is not an image in PNG, JPEG, WebP or GIF format.")
    return None


def _image_extension(upload: File) -> str:
    with Image.open(upload) as image:
        extension = IMAGE_FORMATS[image.format or ""]
    upload.seek(0)
    return extension


def _validated(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned values, or TownBrandingInvalid listing every problem at once."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name in COLOUR_FIELDS:
            value = (value or "").strip()
            problem = colour_problem(value)
            if problem:
                errors[name] = [problem]
            else:
                cleaned[name] = value.lower()
        elif name in IMAGE_FIELDS:
            if value is not None:
                problem = _image_problem(value)
                if problem:
                    errors[name] = [problem]
            cleaned[name] = value
        else:
            value = (value or "").strip()
            limit = TEXT_MAX_LENGTHS[name]
            if len(value) > limit:
                errors[name] = [
                    _("At most %(limit)s characters, this text has %(length)s.")
                    % {"limit": limit, "length": len(value)}
                ]
            elif name in REQUIRED_TEXTS and not value:
                errors[name] = [_("This text is required on a public portal.")]
            elif name == "contact_email" and value:
                try:
                    validate_email(value)
                except ValidationError:
                    errors[name] = [_("Enter a valid e-mail address.")]
            elif name == "contact_phone":
                try:
                    value = phone_normalise(value)
                except ValidationError as error:
                    errors[name] = list(error.messages)
            cleaned[name] = value.lower() if name == "contact_email" else value
    if errors:
        raise TownBrandingInvalid(errors)
    return cleaned


def _actor_is_town_admin(*, town: Town, actor: User) -> bool:
    """Accounts live per schema: the actor must be an active administrator in the town's own."""
    if not actor.is_authenticated:
        return False
    with schema_context(town.schema_name):
        return User.objects.filter(
            pk=actor.pk, email=actor.email, is_town_admin=True, is_active=True
        ).exists()


def _images_store(*, town: Town, images: dict[str, File]) -> dict[str, str]:
    """Store the new images under the town's prefix; their stored names by field."""
    stored: dict[str, str] = {}
    with schema_context(town.schema_name):
        try:
            for name, upload in images.items():
                field = Town._meta.get_field(name)
                filename = field.generate_filename(town, f"{name}.{_image_extension(upload)}")
                stored[name] = default_storage.save(filename, upload, max_length=field.max_length)
        except BaseException:
            _files_delete(list(stored.values()))
            raise
    return stored


def _files_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # A missing or locked old file must not undo a saved branding; it is only litter.
            logger.warning("Could not delete the replaced branding file %s", name)


def town_branding_update(*, town: Town, actor: User, **fields: Any) -> Town:
    """Change the town's branding and return the town as saved.

    `fields` takes any of BRANDING_FIELDS. For `logo` and `hero_image`, a file replaces the image
    and None removes it; leave the key out to keep it. Every value is checked before anything is
    written: on TownBrandingInvalid, PermissionDenied or TownStateInvalid (an archived town)
    nothing has changed.
    """
    unknown = set(fields) - BRANDING_FIELDS
    if unknown:
        raise TypeError(f"Not branding fields: {', '.join(sorted(unknown))}")
    if not _actor_is_town_admin(town=town, actor=actor):
        raise PermissionDenied
    cleaned = _validated(fields)

    new_images = {
        name: upload for name, upload in cleaned.items() if name in IMAGE_FIELDS and upload
    }
    stored = _images_store(town=town, images=new_images)
    changes = {
        name: stored.get(name, "") if name in IMAGE_FIELDS else value
        for name, value in cleaned.items()
    }
    try:
        with schema_context("public"), transaction.atomic():
            current = (
                Town.objects.select_for_update()
                .only("status", "standing", *IMAGE_FIELDS)
                .get(pk=town.pk)
            )
            if current.is_read_only:
                raise TownStateInvalid(_("This portal is archived: it can be read, not changed."))
            replaced = [
                getattr(current, name).name
                for name in IMAGE_FIELDS
                if name in changes and getattr(current, name).name
            ]
            if changes:
                Town.objects.filter(pk=town.pk).update(**changes)
                shop_window_changed(schema=town.schema_name)  # an update sends no signal
            transaction.on_commit(lambda: _files_delete(replaced))
            transaction.on_commit(town_routing_forget)
            saved = Town.objects.get(pk=town.pk)
    except BaseException:
        _files_delete(list(stored.values()))
        raise
    logger.info(
        "Branding of %s changed by user %s: %s", town.schema_name, actor.pk, sorted(changes)
    )
    return saved
