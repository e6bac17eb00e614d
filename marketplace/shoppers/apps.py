from django.apps import AppConfig


class ShoppersConfig(AppConfig):
    name = "marketplace.shoppers"
    label = "shoppers"
    verbose_name = "Shoppers"

    def ready(self) -> None:
        from marketplace.orders.hooks import checkout_address_initial_register
        from marketplace.shoppers.selectors import address_initial_for_checkout

        checkout_address_initial_register(address_initial_for_checkout)
