"""Vendor staff opening a town's administration: an audited, short-lived, one-time link.

The console signs a token naming the town's schema and a nonce recorded in the public schema;
the town's host checks the signature and its age, that the token is for this town, and consumes
the nonce, then signs the staff member in as the town's support administrator.
"""

import secrets
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from comptoir.accounts.models import User
from comptoir.db import connection
from tenants.errors import VendorAccessRefused
from tenants.models import Town, VendorAccessNonce, VendorAuditEvent
from tenants.services.audit import vendor_audit_record

VENDOR_ACCESS_MAX_AGE = timedelta(minutes=2)
# Used nonces are kept this long for the record, then swept by the next grant.
_NONCE_RETENTION = timedelta(days=30)
_SIGNING_SALT = "tenants.vendor-access"
SUPPORT_EMAIL_DOMAIN = "comptoir.invalid"


def vendor_access_grant(*, town: Town, staff: User) -> str:
    """Record that `staff` opens the town's administration; returns the one-time link to it."""
    if not (staff.is_active and staff.is_staff):
        raise VendorAccessRefused(_("Only vendor staff may open a town's administration."))
    nonce = secrets.token_urlsafe(32)
    with schema_context("public"), transaction.atomic():
        VendorAccessNonce.objects.filter(created_at__lt=timezone.now() - _NONCE_RETENTION).delete()
        VendorAccessNonce.objects.create(
            nonce=nonce,
            town_schema=town.schema_name,
            staff_email=staff.email,
            staff_name=staff.get_full_name(),
        )
        vendor_audit_record(
            town=town, action=VendorAuditEvent.Action.OPEN_ADMIN, actor_email=staff.email
        )
    token = signing.dumps({"nonce": nonce, "schema": town.schema_name}, salt=_SIGNING_SALT)
    path = reverse(
        "town_admin:vendor_access", urlconf="surfaces.urls_town", kwargs={"token": token}
    )
    return town.build_url(path)


def vendor_access_nonce_consume(*, nonce: str, schema_name: str) -> VendorAccessNonce:
    """Mark the link's nonce used, in the public schema; refuses one already used."""
    with schema_context("public"), transaction.atomic():
        grant = (
            VendorAccessNonce.objects.select_for_update()
            .filter(nonce=nonce, town_schema=schema_name)
            .first()
        )
        if grant is None or grant.used_at is not None:
            raise VendorAccessRefused(_("This link has already been used."))
        grant.used_at = timezone.now()
        grant.save(update_fields=["used_at"])
    return grant


def support_email_for(staff_email: str) -> str:
    local_part = staff_email.rsplit("@", 1)[0].lower()
    return f"vendor+{local_part}@{SUPPORT_EMAIL_DOMAIN}"


def _support_user_ensure(*, staff_email: str, staff_name: str) -> User:
    full_name = _("Comptoir support (%(name)s)") % {"name": staff_name or staff_email}
    user, created = User.objects.get_or_create(
        email=support_email_for(staff_email),
        defaults={
            "full_name": full_name,
            "is_town_admin": True,
            # Nobody signs in to this account with a password: only through a vendor link.
            "password": make_password(None),
        },
    )
    if not user.is_active:
        raise VendorAccessRefused(_("The town has disabled this support account."))
    if not created and (user.full_name != full_name or not user.is_town_admin):
        user.full_name = full_name
        user.is_town_admin = True
        user.save(update_fields=["full_name", "is_town_admin"])
    return user


def vendor_access_redeem(*, token: str) -> User:
    """Check a vendor link on the town's host and return the support administrator to sign in.

    Runs in the town's schema; raises VendorAccessRefused, changing nothing, when the token is
    forged, older than two minutes, for another town or already used.
    """
    try:
        payload = signing.loads(token, salt=_SIGNING_SALT, max_age=VENDOR_ACCESS_MAX_AGE)
    except signing.SignatureExpired as expired:
        raise VendorAccessRefused(_("This link has expired: open the town again.")) from expired
    except signing.BadSignature as forged:
        raise VendorAccessRefused(_("This link is not valid.")) from forged
    schema_name = connection.schema_name
    if not isinstance(payload, dict) or payload.get("schema") != schema_name:
        raise VendorAccessRefused(_("This link is for another town."))
    # One transaction: if the account cannot be made, the link stays usable.
    with transaction.atomic():
        grant = vendor_access_nonce_consume(
            nonce=str(payload.get("nonce")), schema_name=schema_name
        )
        return _support_user_ensure(staff_email=grant.staff_email, staff_name=grant.staff_name)
