"""python manage.py import_registry --town SLUG FILE [--format sirene|osm] [--legal-units FILE]
[--commit]"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from onboarding.models import RegistryImport
from onboarding.registry.entries import RegistryFileInvalid
from onboarding.services.registry import ReportLine, reason_label, registry_import_path
from tenants.models import Town


class Command(BaseCommand):
    help = (
        "Fill a town's directory from a business registry file (SIRENE or OpenStreetMap CSV). "
        "Without --commit nothing is written: the report says what would be done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--town", required=True, help="The town's slug.")
        parser.add_argument(
            "--format", choices=RegistryImport.Format.values, default=RegistryImport.Format.SIRENE
        )
        parser.add_argument(
            "--legal-units",
            dest="legal_units",
            help="SIRENE's legal units file (StockUniteLegale), joined by siren for the names.",
        )
        parser.add_argument("--commit", action="store_true", help="Write the listings.")

    def handle(self, *args: Any, **options: Any) -> None:
        town = Town.objects.filter(slug=options["town"]).first()
        if town is None:
            raise CommandError(f"No town with the slug {options['town']!r}.")

        def printed(line: ReportLine) -> None:
            self.stdout.write(str(line))

        with tenant_context(town):
            try:
                report, _run = registry_import_path(
                    path=options["file"],
                    file_format=options["format"],
                    legal_units_path=options["legal_units"],
                    commit=options["commit"],
                    on_line=printed,
                )
            except (RegistryFileInvalid, OSError) as error:
                raise CommandError(getattr(error, "message", str(error))) from error
        for reason, count in sorted(report.skipped_by_reason.items()):
            self.stdout.write(f"{reason_label(reason)}: {count}")
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}" + ("" if options["commit"] else " (nothing written)")
        )
        self.stdout.write(report.summary())
