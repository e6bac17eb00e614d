"""The three demo towns `make dev` serves, with fictional but realistic content."""

from dataclasses import dataclass

from django.db import transaction
from django_tenants.utils import schema_context

from comptoir.accounts.models import User
from comptoir.french import de_name
from marketplace.demo.content import TOWN_PROFILES
from marketplace.demo.directory import SIZES, DemoSize
from marketplace.demo.seed import DemoFilled, demo_town_fill
from tenants.models import Town
from tenants.services.provisioning import town_provision
from tenants.services.stats import town_stats_refresh_for

DEMO_PASSWORD = "comptoir-demo"
VENDOR_EMAIL = "equipe@comptoir.test"


@dataclass(frozen=True)
class DemoTown:
    name: str
    slug: str
    insee_code: str
    tagline: str
    primary_colour: str
    accent_colour: str

    @property
    def admin_email(self) -> str:
        return f"mairie@{self.slug}.demo"


DEMO_TOWNS = (
    DemoTown("Aix-les-Bains", "aix-les-bains", "73008", "Les commerces du lac, à portée de clic.", "#0b5a73", "#a4262c"),
    DemoTown("Châlons-en-Champagne", "chalons", "51108", "Le cœur marchand de Châlons, ouvert même le soir.", "#5b2a86", "#9c2b00"),
    DemoTown("Bordeaux", "bordeaux", "33063", "Tous les commerces bordelais, quartier par quartier.", "#7a1f3d", "#1d5c3a"),
)  # fmt: skip


def demo_vendor_ensure() -> User:
    with schema_context("public"):
        user = User.objects.filter(email=VENDOR_EMAIL).first()
        if user is None:
            user = User.objects.create_user(
                VENDOR_EMAIL, DEMO_PASSWORD, full_name="Équipe Comptoir", is_staff=True
            )
        return user


def demo_town_ensure(demo: DemoTown) -> tuple[Town, bool]:
    """The demo town, provisioned on first call only. Returns (town, created)."""
    with schema_context("public"):
        town = Town.objects.filter(slug=demo.slug).first()
    if town is not None:
        return town, False
    town = town_provision(
        name=demo.name,
        slug=demo.slug,
        insee_code=demo.insee_code,
        admin_email=demo.admin_email,
        plan=Town.Plan.COMMERCE,
        actor_email=VENDOR_EMAIL,
    )
    profile = TOWN_PROFILES[demo.slug]
    with schema_context("public"), transaction.atomic():
        town.tagline = demo.tagline
        town.primary_colour = demo.primary_colour
        town.accent_colour = demo.accent_colour
        town.status = Town.Status.ACTIVE
        town.contact_email = f"commerce@{demo.slug}.demo"
        town.welcome_text = profile.welcome_text
        town.contact_address = profile.contact_address
        town.contact_phone = profile.contact_phone
        town.save(
            update_fields=[
                "tagline", "primary_colour", "accent_colour", "status", "contact_email",
                "welcome_text", "contact_address", "contact_phone",
            ]
        )  # fmt: skip
    with schema_context(town.schema_name):
        admin = User.objects.get(email=demo.admin_email)
        admin.full_name = f"Mairie {de_name(demo.name)}"
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["full_name", "password"])
    return town, True


def demo_town_content_ensure(town: Town, *, size: DemoSize | None = None) -> DemoFilled:
    """Merchants, products, shoppers, orders, messages, appointments and the season's campaign,
    for the parts the town does not have yet. Returns what was added. The console's figures are
    counted at once: beat, which keeps them current, does not run without Redis."""
    filled = demo_town_fill(town=town, size=size or SIZES["full"], password=DEMO_PASSWORD)
    town_stats_refresh_for(town=town)
    return filled
