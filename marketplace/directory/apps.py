from django.apps import AppConfig

# What a town that leaves gets of its merchants (tenants' export).
MERCHANT_EXPORT_COLUMNS = (
    "id", "name", "slug", "status", "category__name", "siret", "address", "postcode", "city",
    "latitude", "longitude", "phone", "email", "website", "sells_online", "created_at",
)  # fmt: skip


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
        from tenants.hooks import town_export_register, town_figure_register, town_setup_register

        for model in (Category, Merchant, MerchantPhoto, OpeningHours, SpecialHours):
            shop_window_shows(model)
        town_setup_register("directory.categories", categories_create_defaults)
        town_figure_register("merchants", Merchant.objects.count)
        town_export_register(
            "merchants",
            MERCHANT_EXPORT_COLUMNS,
            lambda: Merchant.objects.order_by("pk").values(*MERCHANT_EXPORT_COLUMNS),
        )
