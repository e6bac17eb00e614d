from django.apps import AppConfig


class ShoppersConfig(AppConfig):
    name = "marketplace.shoppers"
    label = "shoppers"
    verbose_name = "Shoppers"
