from django.core.management.base import BaseCommand, CommandError

from tenants.errors import TownInputInvalid
from tenants.models import Town
from tenants.services.provisioning import town_provision


class Command(BaseCommand):
    help = "Provision a town and print its URL."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--insee", default="")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--plan", default=Town.Plan.ESSENTIAL, choices=Town.Plan.values)

    def handle(self, *args: object, **options: str) -> None:
        try:
            town = town_provision(
                name=options["name"],
                slug=options["slug"],
                insee_code=options["insee"],
                admin_email=options["admin_email"],
                plan=options["plan"],
                actor_email="provision_town command",
            )
        except TownInputInvalid as refused:
            raise CommandError(refused.as_text()) from refused
        self.stdout.write(town.url)
