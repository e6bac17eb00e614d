import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from marketplace.demo.directory import SIZES, shopper_emails
from marketplace.demo.towns import (
    DEMO_PASSWORD,
    DEMO_TOWNS,
    VENDOR_EMAIL,
    demo_town_content_ensure,
    demo_town_ensure,
    demo_vendor_ensure,
)


class Command(BaseCommand):
    help = "Create the three demo towns with their content (once; later runs keep the data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--town",
            choices=[demo.slug for demo in DEMO_TOWNS],
            help="Only this demo town.",
        )
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="full",
            help="full: 44 merchants and 5 to 25 products each; small: 12 merchants, for tests.",
        )

    def handle(self, *args: object, **options: object) -> None:
        demo_vendor_ensure()
        size = SIZES[str(options["size"])]
        demos = [demo for demo in DEMO_TOWNS if options["town"] in (None, demo.slug)]
        lines = ["", "Comptoir is ready:"]
        for demo in demos:
            started = time.perf_counter()
            town, created = demo_town_ensure(demo)
            filled = demo_town_content_ensure(town, size=size)
            state = "created" if created else "kept"
            content = (
                f"added {filled.merchants} merchants, {filled.products} products, "
                f"{filled.orders} orders, {filled.messages} messages, "
                f"{filled.appointments} appointments, {filled.campaigns} campaigns"
                if filled.anything
                else "content kept"
            )
            lines.append(
                f"  {town.name:<22} {town.url}  ({state}; admin {demo.admin_email}; shopper "
                f"{shopper_emails(demo.slug, 1)[0]}; {content}; "
                f"{time.perf_counter() - started:.1f} s)"
            )
        lines += [
            f"  Vendor console         {settings.SITE_SCHEME}://{settings.ROOT_DOMAIN}"
            f"{':' + settings.SITE_PORT if settings.SITE_PORT else ''}/console/"
            f"  (vendor {VENDOR_EMAIL})",
            "  Merchants sign in at /boutique/ with <merchant slug>@<town slug>.demo",
            f"  Every demo login's password: {DEMO_PASSWORD}",
            "",
        ]
        self.stdout.write("\n".join(lines))
