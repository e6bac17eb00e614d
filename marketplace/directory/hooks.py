"""What the apps above the directory add to a merchant's public page, registered from their
`AppConfig.ready()`.

The directory shows who a merchant is, where and when it opens; the catalogue adds the
merchant's products. The directory never names those apps: its page renders each registered
section, in the order they were registered, below its own.
"""

from collections.abc import Callable
from dataclasses import dataclass

from marketplace.directory.models import Merchant


@dataclass(frozen=True)
class MerchantPageSection:
    # A template rendered with the page's request; it shows nothing when its list is empty.
    template_name: str
    # The template's context for one merchant (its queries count in the page's).
    context: Callable[[Merchant], dict[str, object]]


_sections: dict[str, MerchantPageSection] = {}


def merchant_page_section_register(name: str, section: MerchantPageSection) -> None:
    """Add a section to every merchant's page; registering a name again replaces it."""
    _sections[name] = section


def merchant_page_sections() -> list[MerchantPageSection]:
    return list(_sections.values())
