"""Template filters: `euros` (cents in French format) and the opening hours' `hour_ranges`."""

from datetime import time

import pytest
from django.template import Context, Template
from django.utils import translation

from comptoir.templatetags.money import euros
from marketplace.directory.templatetags.opening_hours import hour_ranges


@pytest.mark.parametrize(
    ("cents", "shown"),
    [
        (1250, "12,50\u00a0€"),
        (5, "0,05\u00a0€"),
        (0, "0,00\u00a0€"),
        (123456789, "1\u202f234\u202f567,89\u00a0€"),
        (-990, "-9,90\u00a0€"),
        ("1250", "12,50\u00a0€"),
        (None, ""),
        ("abc", ""),
        (True, ""),
    ],
)
def test_cents_read_as_french_euros(cents, shown):
    assert euros(cents) == shown


def test_the_filter_loads_in_templates():
    rendered = Template("{% load money %}{{ price|euros }}").render(Context({"price": 350}))

    assert rendered == "3,50\u00a0€"


def test_hours_read_as_shoppers_expect():
    with translation.override("en"):
        assert hour_ranges([]) == "Closed"
        assert hour_ranges([(time(0), time.max)]) == "Open 24 hours"
        assert (
            hour_ranges([(time(9), time(12)), (time(19), time.max)]) == "09:00–12:00, 19:00–24:00"
        )
