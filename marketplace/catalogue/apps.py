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


# What a town that leaves gets of its catalogue (tenants' export): one row per variant.
PRODUCT_EXPORT_COLUMNS = (
    "product_id", "product__merchant__slug", "product__title", "product__slug",
    "product__category__name", "product__is_published", "product__vat_rate", "id", "sku",
    "name", "size", "colour", "price_cents", "stock", "product__created_at",
)  # fmt: skip


class CatalogueConfig(AppConfig):
    name = "marketplace.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from comptoir.page_cache import shop_window_shows
        from marketplace.catalogue.models import Product, ProductPhoto, Variant
        from marketplace.directory.hooks import MerchantPageSection, merchant_page_section_register
        from marketplace.directory.signals import merchant_name_or_category_changed
        from tenants.hooks import town_export_register, town_figure_register

        connection_created.connect(_search_session_settings, dispatch_uid="catalogue-search")
        merchant_name_or_category_changed.connect(
            _products_reindex, dispatch_uid="catalogue-reindex"
        )
        for model in (Product, Variant, ProductPhoto):
            shop_window_shows(model)
        town_figure_register("products", Product.objects.count)
        town_export_register(
            "products",
            PRODUCT_EXPORT_COLUMNS,
            lambda: Variant.objects.order_by("product_id", "position", "pk").values(
                *PRODUCT_EXPORT_COLUMNS
            ),
        )
        merchant_page_section_register(
            "catalogue.products",
            MerchantPageSection("catalogue/_merchant_products.html", _merchant_page_products),
        )
