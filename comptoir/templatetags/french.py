"""The French prepositions before a name, in templates: `{% load french %}` then
`{% blocktranslate with of_town=town.name|of_name %}The shops {{ of_town }}{% endblocktranslate %}`
→ "Les commerces d’Annecy". The rules and the one way strings use them: `comptoir.french`."""

from django import template

from comptoir import french

register = template.Library()


@register.filter
def of_name(value: object) -> str:
    return french.of_name(str(value))


@register.filter
def from_name(value: object) -> str:
    return french.from_name(str(value))


@register.filter
def to_name(value: object) -> str:
    return french.to_name(str(value))


@register.filter
def in_name(value: object) -> str:
    return french.in_name(str(value))
