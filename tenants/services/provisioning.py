"""Provisioning a town: schema, domain, default content and its first administrator."""

import enum
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists

from comptoir.accounts.services import town_admin_invite
from comptoir.db import connection
from comptoir.routing import town_routing_forget
from tenants.errors import TownInputInvalid
from tenants.hooks import town_setups
from tenants.models import Domain, Town, VendorAuditEvent
from tenants.services.audit import vendor_audit_record
from tenants.services.defaults import town_default_texts
from tenants.services.locks import provisioning_lock
from tenants.services.spares import spare_schema_take
from tenants.services.template import template_schema_clone, template_schema_ensure

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,48}[a-z0-9]$")
INSEE_PATTERN = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
# Host labels and schema names a town may never take.
RESERVED_SLUGS = frozenset(
    {
        "www", "api", "console", "admin", "static", "media", "mail", "smtp", "imap", "ftp",
        "public", "template", "town-template", "spare", "app", "status", "help", "docs",
        "blog", "support", "billing", "stripe", "webhooks", "cdn", "assets", "dev", "test",
    }
)  # fmt: skip


class ProvisioningMethod(enum.Enum):
    """How the town's schema is made. AUTO takes a spare if one is ready, else clones."""

    AUTO = "auto"
    POOL = "pool"
    CLONE = "clone"
    MIGRATE = "migrate"


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def _validated(*, name: str, slug: str, insee_code: str, admin_email: str) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    slug = slug.strip().lower()
    insee_code = insee_code.strip().upper()
    admin_email = admin_email.strip().lower()
    if not name:
        errors["name"] = [_("Give the town's name.")]
    elif len(name) > 120:
        errors["name"] = [_("The name is at most 120 characters long.")]
    if not SLUG_PATTERN.match(slug) or "--" in slug:
        errors["slug"] = [
            _(
                "The address must be 2 to 50 lowercase letters, digits or hyphens, "
                "starting with a letter."
            )
        ]
    elif slug in RESERVED_SLUGS or slug.startswith(("pg-", "spare-")):
        errors["slug"] = [_("The address “%(slug)s” is reserved.") % {"slug": slug}]
    if insee_code and not INSEE_PATTERN.match(insee_code):
        errors["insee_code"] = [
            _("An INSEE code is five characters: digits, or 2A/2B followed by three digits.")
        ]
    try:
        validate_email(admin_email)
    except ValidationError:
        errors["admin_email"] = [_("Enter a valid e-mail address.")]
    if errors:
        raise TownInputInvalid(errors)
    return {"name": name, "slug": slug, "insee_code": insee_code, "admin_email": admin_email}


def slug_taken_error(slug: str) -> TownInputInvalid:
    return TownInputInvalid(
        {"slug": [_("The address “%(slug)s” is already taken.") % {"slug": slug}]}
    )


def _schema_make(*, schema_name: str, method: ProvisioningMethod) -> ProvisioningMethod:
    """Make the town's schema by spare or clone, inside the caller's transaction; returns the way
    used. MIGRATE makes nothing here: saving the town replays the migrations."""
    if method is ProvisioningMethod.MIGRATE:
        return method
    if method in (ProvisioningMethod.AUTO, ProvisioningMethod.POOL) and spare_schema_take(
        schema_name=schema_name
    ):
        return ProvisioningMethod.POOL
    if method is ProvisioningMethod.POOL:
        raise RuntimeError("No spare schema is ready.")
    template_schema_ensure()
    # Cloned here rather than by saving the town: django-tenants' clone function slows down as
    # towns accumulate, and it then runs a faked migrate_schemas, a no-op on a current template.
    template_schema_clone(schema_name=schema_name)
    return ProvisioningMethod.CLONE


def town_provision(
    *,
    name: str,
    slug: str,
    admin_email: str,
    insee_code: str = "",
    plan: str = Town.Plan.ESSENTIAL,
    actor_email: str = "",
    method: ProvisioningMethod = ProvisioningMethod.AUTO,
) -> Town:
    """Create a town ready to use, or raise TownInputInvalid and create nothing.

    Everything happens in one transaction (PostgreSQL DDL is transactional), under an advisory
    lock, so a failure or a concurrent provision of the same slug never leaves a half-made town.
    """
    data = _validated(name=name, slug=slug, insee_code=insee_code, admin_email=admin_email)
    slug = data["slug"]
    schema_name = schema_name_for(slug)
    domain_name = f"{slug}.{settings.ROOT_DOMAIN}"
    connection.set_schema_to_public()
    with transaction.atomic():
        provisioning_lock()
        if (
            Town.objects.filter(slug=slug).exists()
            or Town.objects.filter(schema_name=schema_name).exists()
            or Domain.objects.filter(domain=domain_name).exists()
            # A schema without its town (a failed manual restore, say) is never taken over.
            or schema_exists(schema_name)
        ):
            raise slug_taken_error(slug)

        with translation.override(settings.LANGUAGE_CODE):
            default_texts = town_default_texts(town_name=data["name"])
        town = Town(
            name=data["name"],
            slug=slug,
            schema_name=schema_name,
            insee_code=data["insee_code"],
            plan=plan,
            **default_texts,
        )
        used = _schema_make(schema_name=schema_name, method=method)
        if used is ProvisioningMethod.MIGRATE:
            town.provision_by_migrating = True
        else:
            town.auto_create_schema = False
        town.save(verbosity=0)
        Domain.objects.create(domain=domain_name, tenant=town, is_primary=True)
        vendor_audit_record(
            town=town,
            action=VendorAuditEvent.Action.PROVISION,
            actor_email=actor_email,
            detail=used.value,
        )
        with schema_context(schema_name), translation.override(settings.LANGUAGE_CODE):
            for setup in town_setups():
                setup()
            town_admin_invite(email=data["admin_email"], town=town)
    town_routing_forget()
    return town
