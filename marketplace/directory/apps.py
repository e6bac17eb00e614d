from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "marketplace.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from comptoir.page_cache import shop_window_shows
        from marketplace.directory.models import (
            Category,
            Merchant,
            MerchantPhoto,
            OpeningHours,
            SpecialHours,
        )
        from marketplace.directory.services.categories import categories_create_defaults
        from tenants.hooks import town_figure_register, town_setup_register

        for model in (Category, Merchant, MerchantPhoto, OpeningHours, SpecialHours):
            shop_window_shows(model)
        town_setup_register("directory.categories", categories_create_defaults)
        town_figure_register("merchants", Merchant.objects.count)
