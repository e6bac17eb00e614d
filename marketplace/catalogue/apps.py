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


def _products_reindex(sender: object, merchant_id: int, **kwargs: object) -> None:
    """Products are searched by their merchant's name and category too."""
    from marketplace.catalogue.services.search import products_search_refresh_for_merchant

    products_search_refresh_for_merchant(merchant_id=merchant_id)


def _merchant_page_products(merchant: "Merchant") -> dict[str, object]:
    """The products section of the directory's merchant page."""
    from marketplace.catalogue.selectors import merchant_page_products

    return {"products": merchant_page_products(merchant=merchant)}


class CatalogueConfig(AppConfig):
    name = "marketplace.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from comptoir.page_cache import shop_window_shows
        from marketplace.catalogue.models import Product, ProductPhoto, Variant
        from marketplace.directory.hooks import MerchantPageSection, merchant_page_section_register
        from marketplace.directory.signals import merchant_name_or_category_changed
        from tenants.hooks import town_figure_register

        connection_created.connect(_search_session_settings, dispatch_uid="catalogue-search")
        merchant_name_or_category_changed.connect(
            _products_reindex, dispatch_uid="catalogue-reindex"
        )
        for model in (Product, Variant, ProductPhoto):
            shop_window_shows(model)
        town_figure_register("products", Product.objects.count)
        merchant_page_section_register(
            "catalogue.products",
            MerchantPageSection("catalogue/_merchant_products.html", _merchant_page_products),
        )
