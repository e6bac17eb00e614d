from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    """The town's home page, composed from the directory, the catalogue and the campaigns."""

    name = "marketplace.storefront"
    label = "storefront"
    verbose_name = "Storefront"
