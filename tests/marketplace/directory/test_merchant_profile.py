"""Keeping a profile: fields checked together, photos with descriptions, members only."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.catalogue.selectors import products_search
from marketplace.catalogue.services.products import product_create
from marketplace.directory.errors import InvalidMerchantData, NotAllowed
from marketplace.directory.models import Merchant, MerchantPhoto
from marketplace.directory.services.merchants import (
    merchant_photo_add,
    merchant_photo_remove,
    merchant_profile_update,
)
from tests.conftest import inside, user_create
from tests.marketplace.directory.conftest import (
    INVALID_SIRET,
    VALID_SIRET,
    category_create,
    member_create,
    merchant_create,
)


def profile(town, merchant):
    with inside(town):
        return Merchant.objects.values().get(pk=merchant.pk)


def png(name: str = "vitrine.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "#1d4e89").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_member_updates_the_profile(town_a, merchant_a, owner_a):
    association = category_create(town_a, name="Associations", kind="association")

    with inside(town_a):
        merchant_profile_update(
            merchant_id=merchant_a.pk,
            actor=owner_a,
            category=association,
            description="Produits du terroir savoyard.",
            latitude=Decimal("45.688374"),
            longitude=Decimal("5.915300"),
            website="https://epicerie-du-lac.test",
            instagram_url="https://instagram.com/epiceriedulac",
            siret="732 829 320 00074",
            sells_online=True,
            offers_click_collect=True,
        )

    row = profile(town_a, merchant_a)
    assert row["category_id"] == association.pk
    assert row["latitude"] == Decimal("45.688374")
    assert row["siret"] == VALID_SIRET
    assert row["sells_online"] is True
    assert row["instagram_url"] == "https://instagram.com/epiceriedulac"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"siret": INVALID_SIRET}, ["siret"]),
        ({"latitude": Decimal("95"), "longitude": Decimal("5")}, ["latitude"]),
        ({"latitude": Decimal("45.6")}, ["longitude"]),
        ({"website": "pas une adresse"}, ["website"]),
        ({"sells_online": True}, ["sells_online"]),
        ({"offers_local_delivery": True, "local_delivery_zone": " "}, ["local_delivery_zone"]),
        ({"name": "", "siret": "12"}, ["name", "siret"]),
    ],
)
def test_bad_input_names_every_field_and_changes_nothing(
    town_a, merchant_a, owner_a, changes, fields
):
    before = profile(town_a, merchant_a)

    with inside(town_a), pytest.raises(InvalidMerchantData) as refused:
        merchant_profile_update(merchant_id=merchant_a.pk, actor=owner_a, **changes)

    assert sorted(refused.value.errors) == sorted(fields)
    assert profile(town_a, merchant_a) == before


def test_unknown_fields_are_a_programming_error(town_a, merchant_a, owner_a):
    with inside(town_a), pytest.raises(TypeError):
        merchant_profile_update(merchant_id=merchant_a.pk, actor=owner_a, status="approved")


def test_someone_else_cannot_update_the_profile(town_a, merchant_a):
    stranger = user_create(town_a, "paul@alpha.test")
    before = profile(town_a, merchant_a)

    with inside(town_a), pytest.raises(NotAllowed):
        merchant_profile_update(merchant_id=merchant_a.pk, actor=stranger, name="Pirate")

    assert profile(town_a, merchant_a) == before


def test_the_town_admin_may_correct_a_profile(town_a, merchant_a, admin_a):
    with inside(town_a):
        merchant_profile_update(merchant_id=merchant_a.pk, actor=admin_a, phone="04 79 35 00 00")

    assert profile(town_a, merchant_a)["phone"] == "+33479350000"


def test_photos_are_added_in_order_with_their_description_and_removed(
    town_a, merchant_a, owner_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with inside(town_a):
        first = merchant_photo_add(
            merchant_id=merchant_a.pk, actor=owner_a, image=png(), alt_text="La devanture"
        )
        second = merchant_photo_add(
            merchant_id=merchant_a.pk, actor=owner_a, image=png(), alt_text="Le rayon fromages"
        )
        path = first.image.path
        with django_capture_on_commit_callbacks(execute=True):
            merchant_photo_remove(merchant_id=merchant_a.pk, actor=owner_a, photo_id=first.pk)
        remaining = list(
            MerchantPhoto.objects.filter(merchant=merchant_a).values_list("pk", "position")
        )

    assert (first.position, second.position) == (0, 1)
    assert remaining == [(second.pk, 1)]
    assert not (tmp_path / path).exists()


def test_a_photo_without_description_is_refused(town_a, merchant_a, owner_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    with inside(town_a), pytest.raises(InvalidMerchantData) as refused:
        merchant_photo_add(merchant_id=merchant_a.pk, actor=owner_a, image=png(), alt_text="  ")

    assert list(refused.value.errors) == ["alt_text"]
    with inside(town_a):
        assert not MerchantPhoto.objects.exists()


def test_another_merchants_photo_is_not_found(town_a, merchant_a, owner_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    other = merchant_create(town_a, name="Autre")
    other_owner = member_create(town_a, other, "autre@alpha.test")
    with inside(town_a):
        photo = merchant_photo_add(
            merchant_id=other.pk, actor=other_owner, image=png(), alt_text="Vitrine"
        )
        with pytest.raises(MerchantPhoto.DoesNotExist):
            merchant_photo_remove(merchant_id=merchant_a.pk, actor=owner_a, photo_id=photo.pk)
        assert MerchantPhoto.objects.filter(pk=photo.pk).exists()


def test_a_renamed_shop_s_products_are_found_by_its_new_name(town_a, merchant_a, owner_a):
    with inside(town_a):
        Merchant.objects.filter(pk=merchant_a.pk).update(
            sells_online=True, offers_click_collect=True
        )
        product_create(merchant=merchant_a, title="Confiture d'abricot", price_cents=650, stock=3)
        assert products_search(q="Bergerie").total == 0

        merchant_profile_update(merchant_id=merchant_a.pk, actor=owner_a, name="La Bergerie")

        assert [p.title for p in products_search(q="Bergerie").products] == ["Confiture d'abricot"]
