import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from comptoir.routing import town_for_host
from tenants.errors import TownStateInvalid
from tenants.models import Town
from tenants.services.branding import (
    IMAGE_MAX_BYTES,
    TownBrandingInvalid,
    colour_assess,
    contrast_ratio,
    town_branding_update,
)
from tests.conftest import host_of, inside, user_create
from tests.surfaces.town_admin.conftest import branding_of, image_upload, stored_files

pytestmark = pytest.mark.django_db

TEXTS = {
    "tagline": "  Les commerces d'Alpha, ouverts sur la mer.  ",
    "welcome_text": "Bienvenue.\nAchetez près de chez vous.",
    "contact_email": "Mairie@Alpha.test",
    "contact_phone": "+33 (0)4 79 00-00.00",
    "contact_address": "1 place de la Mairie, 73100 Alpha-sur-Mer",
    "legal_notice": "Site édité par la mairie d'Alpha-sur-Mer.",
    "accessibility_statement": "Ce site est partiellement conforme au RGAA 4.1.",
}


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.005)
    assert contrast_ratio("#ffff00") == pytest.approx(1.07, abs=0.005)


def test_admin_changes_every_text_and_colour(town_a, admin_a, media_root):
    with inside(town_a):
        saved = town_branding_update(
            town=town_a, actor=admin_a, primary_colour="#5A2D82", accent_colour=" #8a1538 ", **TEXTS
        )

    after = branding_of(town_a)
    assert saved.tagline == "Les commerces d'Alpha, ouverts sur la mer."
    assert after["primary_colour"] == "#5a2d82"
    assert after["accent_colour"] == "#8a1538"
    assert after["tagline"] == "Les commerces d'Alpha, ouverts sur la mer."
    assert after["welcome_text"] == "Bienvenue.\nAchetez près de chez vous."
    assert after["contact_email"] == "mairie@alpha.test"
    assert after["contact_phone"] == "+33479000000"  # stored in E.164 like every phone
    assert after["contact_address"] == TEXTS["contact_address"]
    assert after["legal_notice"] == TEXTS["legal_notice"]
    assert after["accessibility_statement"] == TEXTS["accessibility_statement"]
    assert stored_files(media_root) == []


def test_fields_left_out_keep_their_value(town_a, admin_a):
    before = branding_of(town_a)

    with inside(town_a):
        town_branding_update(town=town_a, actor=admin_a, tagline="Nouveau slogan")

    after = branding_of(town_a)
    assert after == {**before, "tagline": "Nouveau slogan"}


def test_images_are_stored_under_the_town_prefix(town_a, admin_a, media_root):
    with inside(town_a):
        town_branding_update(
            town=town_a,
            actor=admin_a,
            logo=image_upload("Mon Logo!.png"),
            hero_image=image_upload("plage.jpeg", image_format="JPEG", size=(160, 90)),
        )

    after = branding_of(town_a)
    assert after["logo"] == "alpha/branding/logo.png"
    assert after["hero_image"] == "alpha/branding/hero_image.jpg"
    assert stored_files(media_root) == ["alpha/branding/hero_image.jpg", "alpha/branding/logo.png"]


def test_images_go_to_the_town_prefix_even_when_called_from_public(town_a, admin_a, media_root):
    # The Town row is public, but the files belong to the town.
    town_branding_update(town=town_a, actor=admin_a, logo=image_upload())

    assert branding_of(town_a)["logo"] == "alpha/branding/logo.png"


def test_replaced_image_is_deleted_once_committed(
    town_a, admin_a, media_root, django_capture_on_commit_callbacks
):
    with inside(town_a):
        town_branding_update(town=town_a, actor=admin_a, logo=image_upload())
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        town_branding_update(
            town=town_a, actor=admin_a, logo=image_upload("new.gif", image_format="GIF")
        )

    new_name = branding_of(town_a)["logo"]
    assert new_name.startswith("alpha/branding/logo") and new_name.endswith(".gif")
    assert stored_files(media_root) == [new_name]


def test_none_removes_an_image(town_a, admin_a, media_root, django_capture_on_commit_callbacks):
    with inside(town_a):
        town_branding_update(town=town_a, actor=admin_a, hero_image=image_upload())
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        town_branding_update(town=town_a, actor=admin_a, hero_image=None)

    assert branding_of(town_a)["hero_image"] == ""
    assert stored_files(media_root) == []


def test_routing_cache_is_forgotten_after_commit(
    town_a, admin_a, django_capture_on_commit_callbacks
):
    assert town_for_host(host_of(town_a)).tagline != "Tout de suite"

    with inside(town_a), django_capture_on_commit_callbacks(execute=True) as callbacks:
        town_branding_update(town=town_a, actor=admin_a, tagline="Tout de suite")

    assert callbacks
    assert town_for_host(host_of(town_a)).tagline == "Tout de suite"


def test_other_towns_are_untouched(town_a, town_b, admin_a):
    before_b = branding_of(town_b)

    with inside(town_a):
        town_branding_update(town=town_a, actor=admin_a, tagline="Seulement Alpha")

    assert branding_of(town_b) == before_b


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "White text on #ffff00 has a contrast ratio of 1.07:1; at least 4.5:1 is needed for "
            "everyone to read it. Choose a darker colour.",
        ),
        ("fr", "1,07:1"),
    ],
)
def test_low_contrast_colour_is_refused_with_its_ratio(town_a, admin_a, language, expected):
    before = branding_of(town_a)

    with (
        inside(town_a),
        translation.override(language),
        pytest.raises(TownBrandingInvalid) as refused,
    ):
        town_branding_update(town=town_a, actor=admin_a, primary_colour="#FFFF00")

    assert list(refused.value.errors) == ["primary_colour"]
    assert expected in refused.value.errors["primary_colour"][0]
    assert branding_of(town_a) == before


def test_ratio_just_under_the_bar_is_shown_rounded_down(town_a, admin_a):
    # #777777 is 4.478:1, which must never read as an acceptable "4.48" or "4.50".
    with inside(town_a), translation.override("en"), pytest.raises(TownBrandingInvalid) as refused:
        town_branding_update(town=town_a, actor=admin_a, accent_colour="#777777")

    assert "has a contrast ratio of 4.47:1" in refused.value.errors["accent_colour"][0]


def test_colour_just_over_the_bar_is_accepted(town_a, admin_a):
    with inside(town_a):
        town_branding_update(town=town_a, actor=admin_a, accent_colour="#767676")

    assert branding_of(town_a)["accent_colour"] == "#767676"


def _not_an_image(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


BAD_INPUTS = [
    ("primary_colour", "1d4e89", "Enter a colour as #RRGGBB, for example #1d4e89."),
    ("primary_colour", "#1d4e8", "Enter a colour as #RRGGBB, for example #1d4e89."),
    ("primary_colour", "#1d4e8g", "Enter a colour as #RRGGBB, for example #1d4e89."),
    ("primary_colour", "", "Enter a colour as #RRGGBB, for example #1d4e89."),
    ("accent_colour", "#ffffff", "White text on #ffffff has a contrast ratio of 1.00:1"),
    ("tagline", "x" * 201, "At most 200 characters, this text has 201."),
    ("welcome_text", "x" * 3001, "At most 3000 characters, this text has 3001."),
    ("contact_phone", "0" * 31, "At most 30 characters, this text has 31."),
    ("contact_phone", "04 79 AB CD EF", "Enter a valid phone number, like 06 12 34 56 78"),
    ("contact_phone", "04 79 00", "Enter a valid phone number, like 06 12 34 56 78"),
    ("contact_address", "x" * 256, "At most 255 characters, this text has 256."),
    ("contact_email", "mairie@", "Enter a valid e-mail address."),
    ("legal_notice", "   ", "This text is required on a public portal."),
    ("accessibility_statement", "", "This text is required on a public portal."),
    ("accessibility_statement", "x" * 20001, "At most 20000 characters, this text has 20001."),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS)
def test_bad_text_or_colour_changes_nothing(town_a, admin_a, media_root, field, value, message):
    before = branding_of(town_a)

    with inside(town_a), translation.override("en"), pytest.raises(TownBrandingInvalid) as refused:
        town_branding_update(
            town=town_a, actor=admin_a, **{"contact_address": "Ailleurs", field: value}
        )

    errors = refused.value.errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert branding_of(town_a) == before
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            _not_an_image("big.png", b"\x89PNG" + b"\0" * IMAGE_MAX_BYTES),
            "The image weighs 5.0 MB; at most 5 MB is allowed.",
        ),
        (
            _not_an_image("logo.png", b"not an image at all"),
            "This file is not an image in PNG, JPEG, WebP or GIF format.",
        ),
        (
            _not_an_image("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
            "This file is not an image in PNG, JPEG, WebP or GIF format.",
        ),
        (
            _not_an_image("logo.png", image_upload().read()[:40]),
            "This file is not an image in PNG, JPEG, WebP or GIF format.",
        ),
        (
            image_upload("logo.bmp", image_format="BMP"),
            "This file is not an image in PNG, JPEG, WebP or GIF format.",
        ),
    ],
    ids=["too-big", "text", "svg", "truncated", "bmp"],
)
@pytest.mark.parametrize("field", ["logo", "hero_image"])
def test_bad_image_changes_nothing(town_a, admin_a, media_root, field, upload, message):
    upload.seek(0)
    before = branding_of(town_a)

    with inside(town_a), translation.override("en"), pytest.raises(TownBrandingInvalid) as refused:
        town_branding_update(town=town_a, actor=admin_a, tagline="Changé", **{field: upload})

    assert refused.value.errors == {field: [message]}
    assert branding_of(town_a) == before
    assert stored_files(media_root) == []


def test_every_problem_is_reported_at_once_and_no_file_is_kept(town_a, admin_a, media_root):
    before = branding_of(town_a)

    with inside(town_a), pytest.raises(TownBrandingInvalid) as refused:
        town_branding_update(
            town=town_a,
            actor=admin_a,
            logo=image_upload(),
            primary_colour="#ffff00",
            contact_email="nope",
            legal_notice="",
        )

    assert sorted(refused.value.errors) == ["contact_email", "legal_notice", "primary_colour"]
    assert branding_of(town_a) == before
    assert stored_files(media_root) == []


def test_trailing_newline_in_a_colour_is_stripped_not_refused(town_a, admin_a):
    with inside(town_a):
        town_branding_update(town=town_a, actor=admin_a, primary_colour="#1D4E89\n")

    assert branding_of(town_a)["primary_colour"] == "#1d4e89"


def test_shopper_may_not_change_branding(town_a, media_root):
    shopper = user_create(town_a, "shopper@alpha.test")
    before = branding_of(town_a)

    with inside(town_a), pytest.raises(PermissionDenied):
        town_branding_update(town=town_a, actor=shopper, tagline="Pirate", logo=image_upload())

    assert branding_of(town_a) == before
    assert stored_files(media_root) == []


def test_inactive_admin_may_not_change_branding(town_a):
    former = user_create(town_a, "former@alpha.test", is_town_admin=True, is_active=False)
    before = branding_of(town_a)

    with inside(town_a), pytest.raises(PermissionDenied):
        town_branding_update(town=town_a, actor=former, tagline="Pirate")

    assert branding_of(town_a) == before


def test_another_towns_admin_may_not_change_branding(town_a, town_b, admin_b):
    before = branding_of(town_a)

    with inside(town_b), pytest.raises(PermissionDenied):
        town_branding_update(town=town_a, actor=admin_b, tagline="Pirate")

    assert branding_of(town_a) == before


def test_archived_town_keeps_its_branding_and_no_file(town_a, admin_a, media_root):
    Town.objects.filter(pk=town_a.pk).update(status=Town.Status.ARCHIVED)
    before = branding_of(town_a)

    with inside(town_a), translation.override("en"), pytest.raises(TownStateInvalid) as refused:
        town_branding_update(town=town_a, actor=admin_a, tagline="Trop tard", logo=image_upload())

    assert str(refused.value) == "This portal is archived: it can be read, not changed."
    assert branding_of(town_a) == before
    assert stored_files(media_root) == []


def test_unknown_field_is_a_programming_error(town_a, admin_a):
    with inside(town_a), pytest.raises(TypeError):
        town_branding_update(town=town_a, actor=admin_a, name="Renamed")

    assert Town.objects.get(pk=town_a.pk).name == "Alpha-sur-Mer"


def test_colour_assessment_for_the_live_preview():
    with translation.override("en"):
        good = colour_assess(" #1D4E89 ")
        poor = colour_assess("#ffff00")
        garbled = colour_assess("blue")

    assert (good.colour, good.ratio, good.problem) == ("#1d4e89", "8.38", None)
    assert (poor.colour, poor.ratio) == ("#ffff00", "1.07")
    assert "1.07:1" in poor.problem
    assert (garbled.colour, garbled.ratio) == ("", "")
    assert garbled.problem == "Enter a colour as #RRGGBB, for example #1d4e89."
