from django.core.management.base import BaseCommand

from comptoir.demo import (
    DEMO_PASSWORD,
    DEMO_TOWNS,
    VENDOR_EMAIL,
    demo_town_ensure,
    demo_vendor_ensure,
)


class Command(BaseCommand):
    help = "Create the three demo towns with their content (once; later runs keep the data)."

    def handle(self, *args: object, **options: object) -> None:
        demo_vendor_ensure()
        lines = ["", "Comptoir is ready:"]
        for demo in DEMO_TOWNS:
            town, created = demo_town_ensure(demo)
            state = "created" if created else "kept"
            lines.append(f"  {town.name:<22} {town.url}  ({state}; admin {demo.admin_email})")
        lines += [
            f"  Vendor console         http://localhost:8000/console/  (vendor {VENDOR_EMAIL})",
            f"  Every demo login's password: {DEMO_PASSWORD}",
            "",
        ]
        self.stdout.write("\n".join(lines))
