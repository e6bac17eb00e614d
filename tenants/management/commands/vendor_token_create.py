from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.errors import VendorStaffUnknown
from tenants.services.vendor_staff import vendor_api_token_issue


class Command(BaseCommand):
    help = "Print the vendor API token of a vendor staff member (made on first request)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The vendor staff member's e-mail.")

    def handle(self, *args: object, **options: str) -> None:
        try:
            key = vendor_api_token_issue(email=options["email"])
        except VendorStaffUnknown as unknown:
            raise CommandError(
                f"No active vendor staff account has the e-mail {unknown}."
            ) from unknown
        self.stdout.write(key)
