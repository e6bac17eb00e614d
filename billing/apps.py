from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Money with Stripe: the merchants' Connect accounts (in each town's schema) and Stripe's
    webhook intake. Its public-schema tables are the `billing.shared` app."""

    name = "billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from billing.payments import CardProvider
        from marketplace.orders.payments import payment_provider_register

        payment_provider_register(CardProvider())
