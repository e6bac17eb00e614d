from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.db.backends.signals import connection_created

if TYPE_CHECKING:
    from marketplace.directory.models import Merchant


def _search_session_settings(sender: object, connection, **kwargs: object) -> None:
    """The typo threshold of the product search (selectors.WORD_SIMILARITY_THRESHOLD), set once
    per database connection rather than before every search."""
    from marketplace.catalogue.selectors import WORD_SIMILARITY_THRESHOLD

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SET pg_trgm.strict_word_similarity_threshold = {float(WORD_SIMILARITY_THRESHOLD)}"
        )


def _merchant_page_products(merchant: "Merchant") -> dict[str, object]:
    """The products section of the directory's merchant page."""
    from marketplace.catalogue.selectors import merchant_page_products

    return {"products": merchant_page_products(merchant=merchant)}


class CatalogueConfig(AppConfig):
    name = "marketplace.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from marketplace.directory.hooks import MerchantPageSection, merchant_page_section_register
        from marketplace.page_cache import shop_window_watch

        connection_created.connect(_search_session_settings, dispatch_uid="catalogue-search")
        shop_window_watch()
        merchant_page_section_register(
            "catalogue.products",
            MerchantPageSection("catalogue/_merchant_products.html", _merchant_page_products),
        )
