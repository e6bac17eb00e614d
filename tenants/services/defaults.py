"""The texts a new town starts with, which its administrators then edit."""

from django.utils.translation import gettext as _

from comptoir.french import of_name


def town_default_texts(*, town_name: str) -> dict[str, str]:
    names = {"of_town": of_name(town_name)}
    return {
        "tagline": _("The shops %(of_town)s, online and around the corner.") % names,
        "welcome_text": _(
            "Find the shops, markets, craftspeople, associations and services %(of_town)s. "
            "Order online, collect in shop or get delivered: every purchase supports the "
            "town's own businesses."
        )
        % names,
        "legal_notice": _(
            "This site is published by the town %(of_town)s. It is hosted and run by Comptoir. "
            "The merchants listed are responsible for the products they sell and for their "
            "orders. Personal data is processed by the town and by the merchants you order "
            "from, only to handle your orders; you may ask for a copy or its deletion from "
            "your account."
        )
        % names,
        "accessibility_statement": _(
            "The town %(of_town)s is committed to making its website accessible, in accordance "
            "with article 47 of law no. 2005-102 of 11 February 2005. This site aims to meet "
            "the RGAA 4.1 (WCAG 2.1 level AA). If you cannot reach a content or a service, "
            "contact the town so that we can direct you to an accessible alternative."
        )
        % names,
    }
