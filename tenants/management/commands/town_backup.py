from django.core.management.base import BaseCommand, CommandError

from tenants.models import Town
from tenants.services.backups import town_backup


class Command(BaseCommand):
    help = "Back up a town (schema, public rows, media) as one archive in the backups storage."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--town", required=True, help="the town's slug")

    def handle(self, *args: object, **options: str) -> None:
        town = Town.objects.filter(slug=options["town"]).first()
        if town is None:
            raise CommandError(f"No town has the slug {options['town']!r}.")
        backup = town_backup(town=town, actor_email="town_backup command")
        self.stdout.write(f"{backup.name}  sha256 {backup.sha256}  {backup.size} bytes")
