from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from tenants.services.locks import provisioning_lock
from tenants.services.template import template_schema_ensure


class Command(BaseCommand):
    help = "Migrate the public schema and every town, and keep the template schema current."

    def handle(self, *args: object, **options: object) -> None:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        with transaction.atomic():
            provisioning_lock()
            rebuilt = template_schema_ensure()
        self.stdout.write("Template schema rebuilt." if rebuilt else "Template schema up to date.")
