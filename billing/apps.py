from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Money with Stripe: the merchants' Connect accounts (in each town's schema) and Stripe's
    webhook intake. Its public-schema tables are the `billing.shared` app."""

    name = "billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from django.urls import reverse

        from billing.payments import CardProvider
        from billing.views import stripe_webhook
        from comptoir.middleware import root_endpoint_register
        from marketplace.orders.payments import payment_provider_register

        payment_provider_register(CardProvider())
        # Stripe's webhooks skip the stack after routing: the intake's p95 (make bench).
        root_endpoint_register(
            reverse("billing:stripe_webhook", urlconf="surfaces.urls_public"), stripe_webhook
        )
