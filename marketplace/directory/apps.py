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

        for model in (Category, Merchant, MerchantPhoto, OpeningHours, SpecialHours):
            shop_window_shows(model)
