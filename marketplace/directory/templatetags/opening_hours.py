"""Hours as shoppers read them: `{% load opening_hours %}` then `{{ ranges|hour_ranges }}`."""

from datetime import time

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def clock(value: time | None) -> str:
    """09:00; a range ending at midnight ends at 24:00."""
    if value is None:
        return ""
    if value == time.max:
        return "24:00"
    return value.strftime("%H:%M")


@register.filter
def hour_ranges(ranges: list[tuple[time, time]]) -> str:
    """[(9:00, 12:00), (14:00, 19:00)] → "09:00–12:00, 14:00–19:00"; none → "Closed"."""
    if not ranges:
        return _("Closed")
    if list(ranges) == [(time.min, time.max)]:
        return _("Open 24 hours")
    return ", ".join(f"{clock(opens)}–{clock(closes)}" for opens, closes in ranges)
