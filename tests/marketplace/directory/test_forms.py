"""The forms the back office renders: the week-hours formset and the profile form."""

from datetime import time

from django.utils import translation

from marketplace.directory.forms import MerchantProfileForm, week_hours_formset
from marketplace.directory.models import Merchant
from tests.conftest import inside
from tests.marketplace.directory.conftest import merchant_create


def post_of(formset) -> dict[str, str]:
    """What the browser sends back for an untouched formset."""
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
    }
    for form in formset.forms:
        for name in form.fields:
            value = form.initial.get(name, "")
            data[form.add_prefix(name)] = (
                value.strftime("%H:%M") if isinstance(value, time) else str(value)
            )
    return data


def test_the_week_formset_shows_each_day_with_its_ranges_and_free_rows(town_a):
    merchant = merchant_create(
        town_a, week=[(0, "09:00", "12:00"), (0, "14:00", "19:00"), (5, "10:00", "00:00")]
    )
    with inside(town_a), translation.override("en"):
        merchant = Merchant.objects.prefetch_related("opening_hours").get(pk=merchant.pk)
        formset = week_hours_formset(merchant=merchant)
        days = list(formset.days())

    assert [len(rows) for _label, rows in days] == [3, 3, 3, 3, 3, 3, 3]
    assert [str(label) for label, _rows in days] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert days[0][1][0].initial == {"weekday": 0, "opens_at": time(9), "closes_at": time(12)}


def test_the_week_formset_gives_back_the_ranges_typed(town_a):
    formset = week_hours_formset()
    data = post_of(formset)
    data["hours-0-opens_at"], data["hours-0-closes_at"] = "09:00", "12:00"
    data["hours-4-opens_at"], data["hours-4-closes_at"] = "19:00", "00:00"

    bound = week_hours_formset(data=data)

    assert bound.is_valid(), bound.errors
    assert bound.ranges() == [(0, time(9), time(12)), (1, time(19), time(0))]


def test_a_row_with_one_time_only_is_an_error(town_a):
    data = post_of(week_hours_formset())
    data["hours-0-opens_at"] = "09:00"

    bound = week_hours_formset(data=data)

    assert not bound.is_valid()
    assert bound.forms[0].non_field_errors()


def test_the_profile_form_hands_only_what_changed_to_the_service(town_a):
    merchant = merchant_create(town_a, phone="04 79 00 00 00")
    with inside(town_a):
        merchant = Merchant.objects.get(pk=merchant.pk)
        form = MerchantProfileForm(instance=merchant)
        data = {
            name: ("" if value is None else value)
            for name, value in form.initial.items()
            if name != "logo" and value is not False
        }
        data["phone"] = "04 79 11 11 11"
        bound = MerchantProfileForm(data=data, instance=merchant)
        assert bound.is_valid(), bound.errors

        assert bound.profile_changes() == {"phone": "+33479111111"}
