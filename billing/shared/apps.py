from django.apps import AppConfig


class BillingSharedConfig(AppConfig):
    """Billing's tables in the public schema (a shared app): every Stripe event received, once,
    and which town owns which Connect account, so an event reaches the right schema."""

    name = "billing.shared"
    label = "billing_shared"
    verbose_name = "Billing (platform)"
