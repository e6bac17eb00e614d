from django.core.management.base import BaseCommand

from billing.services.subscriptions import plans_default_setup


class Command(BaseCommand):
    help = (
        "Create the towns' plans (population bands) as Stripe Prices, or find them by their "
        "lookup keys; idempotent."
    )

    def handle(self, *args: object, **options: object) -> None:
        for plan in plans_default_setup():
            self.stdout.write(
                f"{plan.code}: {plan.stripe_price_id} ({plan.amount_cents} cents / "
                f"{plan.interval}, read-only {plan.grace_days} days after an unpaid invoice)"
            )
