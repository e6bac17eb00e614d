"""Money in French format: `{% load money %}` then `{{ price_cents|euros }}` → "1 234,50 €".

Amounts are integer cents everywhere. The thousands separator is a narrow no-break space and the
euro sign follows a no-break space, as French typography wants (and so a price never wraps).
"""

from django import template

from comptoir.money import euros_format

register = template.Library()


@register.filter
def euros(value: object) -> str:
    """Cents (an int, or a string of digits) → "12,50 €"; empty for None or anything else."""
    if value is None or isinstance(value, bool):
        return ""
    try:
        cents = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    return euros_format(cents)
