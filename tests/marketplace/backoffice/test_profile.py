from datetime import timedelta

import pytest

from comptoir.town import town_now
from marketplace.directory.models import Merchant, OpeningHours, SpecialHours
from tests.conftest import inside
from tests.marketplace.backoffice.builders import reload


def _profile_data(merchant: Merchant, **changes: str) -> dict[str, str]:
    data = {
        "name": merchant.name,
        "category": str(merchant.category_id),
        "description": "",
        "address": "",
        "postcode": "",
        "city": "",
        "phone": "",
        "email": "",
        "website": "",
        "facebook_url": "",
        "instagram_url": "",
        "siret": "",
        "sells_online": "on",
        "offers_click_collect": "on",
        "local_delivery_zone": "",
        "local_delivery_fee_cents": "0,00",
        "postal_delivery_fee_cents": "0,00",
    }
    data.update(changes)
    return data


def _week_data(rows: dict[int, list[tuple[str, str]]]) -> dict[str, str]:
    """Three rows a day, as the page sends them; `rows` fills some."""
    data: dict[str, str] = {}
    index = 0
    for weekday in range(7):
        ranges = rows.get(weekday, [])
        for slot in range(3):
            data[f"hours-{index}-weekday"] = str(weekday)
            opens, closes = ranges[slot] if slot < len(ranges) else ("", "")
            data[f"hours-{index}-opens_at"] = opens
            data[f"hours-{index}-closes_at"] = closes
            index += 1
    data.update({"hours-TOTAL_FORMS": str(index), "hours-INITIAL_FORMS": str(index)})
    return data


@pytest.mark.smoke
def test_profile_page_shows_the_directory_form(owner_client, shop_a):
    response = owner_client.get("/boutique/profil/")

    assert response.status_code == 200
    assert response.context["form"].instance.pk == shop_a.pk


def test_owner_updates_the_profile(owner_client, town_a, shop_a):
    response = owner_client.post(
        "/boutique/profil/",
        _profile_data(shop_a, description="Fleuriste depuis 1982", phone="04 79 00 00 00"),
    )

    assert response.status_code == 302
    stored = reload(town_a, shop_a)
    assert (stored.description, stored.phone) == ("Fleuriste depuis 1982", "+33479000000")
    assert 'value="04 79 00 00 00"' in owner_client.get("/boutique/profil/").content.decode()


def test_delivery_fees_are_typed_in_euros_and_stored_in_cents(owner_client, town_a, shop_a):
    response = owner_client.post(
        "/boutique/profil/",
        _profile_data(
            shop_a,
            offers_local_delivery="on",
            local_delivery_zone="Centre-ville",
            local_delivery_fee_cents="3,50",
            offers_postal_delivery="on",
            postal_delivery_fee_cents="6.90",
        ),
    )

    assert response.status_code == 302
    stored = reload(town_a, shop_a)
    assert (stored.local_delivery_fee_cents, stored.postal_delivery_fee_cents) == (350, 690)
    page = owner_client.get("/boutique/profil/").content.decode()
    assert 'value="3,50"' in page and 'value="6,90"' in page
    assert "En euros, par exemple 3,50" in page
    assert "En centimes" not in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"local_delivery_fee_cents": "-1"}, "local_delivery_fee_cents"),
        ({"local_delivery_fee_cents": "1500"}, "local_delivery_fee_cents"),
        ({"postal_delivery_fee_cents": "6,905"}, "postal_delivery_fee_cents"),
        ({"phone": "abc"}, "phone"),
        ({"description": "a" * 200_000}, "description"),
    ],
)
def test_a_bad_fee_phone_or_description_is_refused_and_nothing_changes(
    owner_client, town_a, shop_a, changes, field
):
    response = owner_client.post("/boutique/profil/", _profile_data(shop_a, **changes))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    stored = reload(town_a, shop_a)
    assert (stored.local_delivery_fee_cents, stored.phone, stored.description) == (0, "", "")


def test_a_bad_siret_is_refused_and_nothing_changes(owner_client, town_a, shop_a):
    response = owner_client.post(
        "/boutique/profil/", _profile_data(shop_a, siret="12345678901234", phone="01")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["siret"]
    stored = reload(town_a, shop_a)
    assert (stored.siret, stored.phone) == ("", "")


def test_owner_sets_the_week(owner_client, town_a, shop_a):
    response = owner_client.post(
        "/boutique/horaires/", _week_data({0: [("09:00", "12:00"), ("14:00", "19:00")]})
    )

    assert response.status_code == 302
    with inside(town_a):
        assert list(
            OpeningHours.objects.filter(merchant=shop_a)
            .order_by("opens_at")
            .values_list("weekday", "opens_at__hour", "closes_at__hour")
        ) == [(0, 9, 12), (0, 14, 19)]


def test_overlapping_ranges_are_refused_and_the_week_stays(owner_client, town_a, shop_a):
    with inside(town_a):
        from datetime import time

        OpeningHours.objects.create(
            merchant=shop_a, weekday=1, opens_at=time(9), closes_at=time(18)
        )

    response = owner_client.post(
        "/boutique/horaires/", _week_data({0: [("09:00", "13:00"), ("12:00", "19:00")]})
    )

    assert response.status_code == 400
    assert response.context["hours_errors"]
    with inside(town_a):
        assert list(
            OpeningHours.objects.filter(merchant=shop_a).values_list("weekday", flat=True)
        ) == [1]


@pytest.mark.parametrize("count", [1, 4])
def test_hours_page_costs_the_same_queries(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    today = town_now().date()
    with inside(town_a):
        for offset in range(count):
            SpecialHours.objects.create(merchant=shop_a, date=today + timedelta(days=offset + 1))
    owner_client.get("/boutique/horaires/")

    with django_assert_num_queries(14):
        response = owner_client.get("/boutique/horaires/")

    assert len(response.context["special_days"]) == count


def test_owner_adds_and_removes_a_closure(owner_client, town_a, shop_a):
    day = town_now().date() + timedelta(days=10)

    response = owner_client.post(
        "/boutique/horaires/exceptionnels/",
        {"date": day.isoformat(), "is_closed": "on", "reason": "Inventaire"},
    )

    assert response.status_code == 302, response.content.decode()[-3000:]
    with inside(town_a):
        special = SpecialHours.objects.get(merchant=shop_a)
    assert (special.date, special.is_closed, special.reason) == (day, True, "Inventaire")

    owner_client.post(f"/boutique/horaires/exceptionnels/{special.pk}/supprimer/")
    with inside(town_a):
        assert not SpecialHours.objects.filter(merchant=shop_a).exists()


def test_a_closure_in_the_past_is_refused(owner_client, town_a, shop_a):
    day = town_now().date() - timedelta(days=3)

    response = owner_client.post(
        "/boutique/horaires/exceptionnels/", {"date": day.isoformat(), "is_closed": "on"}
    )

    assert response.status_code == 400
    with inside(town_a):
        assert not SpecialHours.objects.exists()


def test_another_shops_closure_cannot_be_removed(rival_client, town_a, shop_a):
    with inside(town_a):
        special = SpecialHours.objects.create(
            merchant=shop_a, date=town_now().date() + timedelta(days=2)
        )

    response = rival_client.post(f"/boutique/horaires/exceptionnels/{special.pk}/supprimer/")

    assert response.status_code == 404
    with inside(town_a):
        assert SpecialHours.objects.filter(pk=special.pk).exists()


def test_owner_adds_and_removes_a_shop_photo(owner_client, town_a, shop_a, settings, tmp_path):
    from marketplace.directory.models import MerchantPhoto
    from tests.marketplace.catalogue.conftest import jpeg_upload

    settings.MEDIA_ROOT = tmp_path
    response = owner_client.post(
        "/boutique/profil/photos/", {"image": jpeg_upload(), "alt_text": "La vitrine en mai"}
    )

    assert response.status_code == 302
    with inside(town_a):
        photo = MerchantPhoto.objects.get(merchant=shop_a)
    assert photo.alt_text == "La vitrine en mai"
    assert owner_client.get("/boutique/profil/").context["photos"] == [photo]

    owner_client.post(f"/boutique/profil/photos/{photo.pk}/supprimer/")
    with inside(town_a):
        assert not MerchantPhoto.objects.exists()


def test_a_photo_without_description_is_refused(owner_client, town_a, shop_a, settings, tmp_path):
    from marketplace.directory.models import MerchantPhoto
    from tests.marketplace.catalogue.conftest import jpeg_upload

    settings.MEDIA_ROOT = tmp_path
    response = owner_client.post(
        "/boutique/profil/photos/", {"image": jpeg_upload(), "alt_text": ""}
    )

    assert response.status_code == 400
    with inside(town_a):
        assert not MerchantPhoto.objects.exists()


def test_another_shops_photo_cannot_be_removed(rival_client, town_a, shop_a, settings, tmp_path):
    from marketplace.directory.models import MerchantPhoto

    with inside(town_a):
        photo = MerchantPhoto.objects.create(merchant=shop_a, image="x.jpg", alt_text="Vitrine")

    assert rival_client.post(f"/boutique/profil/photos/{photo.pk}/supprimer/").status_code == 404
    with inside(town_a):
        assert MerchantPhoto.objects.filter(pk=photo.pk).exists()


@pytest.mark.parametrize("count", [1, 3])
def test_profile_page_costs_the_same_queries(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    from marketplace.directory.models import MerchantPhoto

    with inside(town_a):
        for number in range(count):
            MerchantPhoto.objects.create(merchant=shop_a, image=f"x{number}.jpg", alt_text="V")
    owner_client.get("/boutique/profil/")

    with django_assert_num_queries(14):
        response = owner_client.get("/boutique/profil/")

    assert len(response.context["photos"]) == count
