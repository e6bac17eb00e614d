"""Phone numbers for reading: `{% load phones %}` then `{{ merchant.phone|phone }}` →
"04 79 00 00 00" (a French number) or "+44 20 7946 0958" (any other); tel: links take the stored
E.164 value as it is."""

from django import template

from comptoir.phones import phone_display

register = template.Library()


@register.filter
def phone(value: object) -> str:
    return phone_display(value) if isinstance(value, str) else ""
