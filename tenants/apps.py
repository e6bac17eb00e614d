from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    label = "tenants"
    verbose_name = "Towns"

    def ready(self) -> None:
        from comptoir.page_cache import shop_window_shows
        from tenants.models import Town

        # The town's own row holds the home page's texts and images.
        shop_window_shows(Town, schema_of=lambda town: town.schema_name)
