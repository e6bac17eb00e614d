from django.apps import AppConfig
from django.db.backends.signals import connection_created


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


class CatalogueConfig(AppConfig):
    name = "marketplace.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from comptoir.page_cache import shop_window_shows
        from marketplace.catalogue.models import Product, ProductPhoto, Variant
        from tenants.hooks import town_figure_register

        connection_created.connect(_search_session_settings, dispatch_uid="catalogue-search")
        for model in (Product, Variant, ProductPhoto):
            shop_window_shows(model)
        town_figure_register("products", Product.objects.count)
