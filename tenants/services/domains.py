"""A town's own host names, besides the subdomain it gets at provisioning."""

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from comptoir.routing import town_routing_forget
from tenants.errors import TownInputInvalid
from tenants.models import Domain, Town, VendorAuditEvent
from tenants.services.audit import vendor_audit_record

# One DNS label (RFC 1123): letters, digits and inner hyphens, 1 to 63 characters.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HOST_NAME_MAX_LENGTH = 253


def _host_name_error(host_name: str) -> str | None:
    labels = host_name.split(".")
    if (
        not host_name
        or len(host_name) > _HOST_NAME_MAX_LENGTH
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        return _("Enter a host name such as “commerces.example.fr”, without http:// or a path.")
    root = settings.ROOT_DOMAIN
    if host_name == root or host_name.endswith(f".{root}"):
        return _("Addresses under %(root)s are given by provisioning, not added by hand.") % {
            "root": root
        }
    return None


def town_domain_add(*, town: Town, domain: str, actor_email: str = "") -> Domain:
    """Let the town answer on another host name too, or raise TownInputInvalid and add nothing."""
    host_name = domain.strip().lower().rstrip(".")
    error = _host_name_error(host_name)
    if error is not None:
        raise TownInputInvalid({"domain": [error]})
    taken = TownInputInvalid(
        {"domain": [_("“%(domain)s” already answers for a town.") % {"domain": host_name}]}
    )
    with schema_context("public"):
        if Domain.objects.filter(domain=host_name).exists():
            raise taken
        try:
            with transaction.atomic():
                added = Domain.objects.create(domain=host_name, tenant=town, is_primary=False)
                vendor_audit_record(
                    town=town,
                    action=VendorAuditEvent.Action.DOMAIN_ADD,
                    actor_email=actor_email,
                    detail=host_name,
                )
        except IntegrityError as race:
            # Another request added the same host name between the check and the insert.
            raise taken from race
    town_routing_forget()
    return added
