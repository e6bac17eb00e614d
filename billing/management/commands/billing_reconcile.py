from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from billing.services.reconcile import billing_reconcile


class Command(BaseCommand):
    help = "List Stripe's recent events and process any a missed webhook left behind."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="How many days back (default: the setting)."
        )

    def handle(self, *args, **options):
        window = timedelta(days=options["days"]) if options["days"] else None
        report = billing_reconcile(window=window)
        self.stdout.write(
            f"{report.listed} events listed, {report.recorded} recorded now, "
            f"{report.requeued} queued again. {report.payouts} payouts read."
        )
        if report.failed:
            raise CommandError(f"Stripe would not list the events of {report.failed} accounts.")
        if report.payouts_failed:
            raise CommandError(
                f"Stripe would not list the payouts of {report.payouts_failed} accounts."
            )
