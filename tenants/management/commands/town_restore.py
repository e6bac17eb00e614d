from django.core.management.base import BaseCommand, CommandError

from tenants.errors import TownInputInvalid
from tenants.services.backups import town_restore


class Command(BaseCommand):
    help = "Restore a town from a backup (a backups storage name or a file), as itself or anew."

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive")
        parser.add_argument("--as", dest="as_slug", default="", help="restore under this slug")

    def handle(self, *args: object, **options: str) -> None:
        try:
            town = town_restore(
                archive=options["archive"],
                as_slug=options["as_slug"],
                actor_email="town_restore command",
            )
        except TownInputInvalid as refused:
            raise CommandError(refused.as_text()) from refused
        self.stdout.write(town.url)
