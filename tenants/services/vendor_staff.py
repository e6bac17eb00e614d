"""Vendor staff accounts (public schema): second factor on the console, API tokens."""

from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from comptoir.accounts.models import User
from tenants.errors import TwoFactorCodeInvalid, VendorStaffUnknown

TOTP_DEVICE_NAME = "Console"


def vendor_totp_device_pending(*, user: User) -> TOTPDevice:
    """The device being enrolled: made once, so the secret stays the same until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    device.user = user  # its otpauth:// URL names the user: no second query for them
    return device


def vendor_totp_device_confirm(*, user: User, token: str) -> TOTPDevice:
    """Confirm the pending device with a code it generated; from then on sign-in asks for one."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        verified = device is not None and device.verify_token(token)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
    # Raised outside the transaction so the device's failure count (throttling) is kept.
    if not verified:
        raise TwoFactorCodeInvalid
    return device


def vendor_totp_verify(*, user: User, token: str) -> Device:
    """The confirmed device that accepts this code, or TwoFactorCodeInvalid."""
    verified: Device | None = None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                verified = device
                break
    if verified is None:
        raise TwoFactorCodeInvalid
    return verified


def vendor_api_token_issue(*, email: str) -> str:
    """The API token of an active vendor staff member, made on first request."""
    with schema_context("public"):
        user = User.objects.filter(
            email=email.strip().lower(), is_staff=True, is_active=True
        ).first()
        if user is None:
            raise VendorStaffUnknown(email)
        token, _created = Token.objects.get_or_create(user=user)
    return token.key
