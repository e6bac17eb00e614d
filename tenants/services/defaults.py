"""The texts a new town starts with, which its administrators then edit."""

from django.utils.translation import gettext as _


def town_default_texts(*, town_name: str) -> dict[str, str]:
    return {
        "tagline": _("The shops of %(town)s, online and around the corner.") % {"town": town_name},
        "welcome_text": _(
            "Find the shops, markets, craftspeople, associations and services of %(town)s. "
            "Order online, collect in shop or get delivered: every purchase supports the "
            "town's own businesses."
        )
        % {"town": town_name},
        "legal_notice": _(
            "This site is published by the town of %(town)s. It is hosted and run by Comptoir. "
            "The merchants listed are responsible for the products they sell and for their "
            "orders. Personal data is processed by the town and by the merchants you order "
            "from, only to handle your orders; you may ask for a copy or its deletion from "
            "your account."
        )
        % {"town": town_name},
        "accessibility_statement": _(
            "The town of %(town)s is committed to making its website accessible, in accordance "
            "with article 47 of law no. 2005-102 of 11 February 2005. This site aims to meet "
            "the RGAA 4.1 (WCAG 2.1 level AA). If you cannot reach a content or a service, "
            "contact the town so that we can direct you to an accessible alternative."
        )
        % {"town": town_name},
    }
