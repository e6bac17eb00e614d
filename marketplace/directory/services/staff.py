"""A shop's team: its owners invite people to the staff and take them off it."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.celery import task_after_commit
from marketplace.directory.errors import StaffInvalid, StaffNotAllowed
from marketplace.directory.models import Merchant, MerchantMember, StaffInvitation
from marketplace.directory.tasks import staff_invitation_send


def _require_owner(*, actor: User, merchant_id: int) -> None:
    if not (
        actor.is_authenticated
        and MerchantMember.objects.filter(
            merchant_id=merchant_id, user_id=actor.pk, role=MerchantMember.Role.OWNER
        ).exists()
    ):
        raise StaffNotAllowed(_("Only the shop's owner manages its staff."))


def staff_invite(
    *, actor: User, merchant_id: int, email: str, full_name: str = ""
) -> MerchantMember:
    """Add a person to the shop's staff and e-mail them: a one-time link to choose their
    password when the account is new, a plain notice when they already sign in here.

    Owners only. Refused: an invalid e-mail, a person already member of the shop, a disabled
    account. Nothing changes then.
    """
    _require_owner(actor=actor, merchant_id=merchant_id)
    email = email.strip().lower()
    full_name = full_name.strip()[:150]
    try:
        validate_email(email)
    except ValidationError:
        raise StaffInvalid(_("Enter a valid e-mail address.")) from None
    with transaction.atomic(durable=True):
        # One staff change at a time per shop.
        Merchant.objects.select_for_update().only("pk").get(pk=merchant_id)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, full_name=full_name)
        elif not user.is_active:
            raise StaffInvalid(_("This account is disabled: ask the town to re-enable it."))
        if MerchantMember.objects.filter(merchant_id=merchant_id, user_id=user.pk).exists():
            raise StaffInvalid(_("%(email)s is already a member of this shop.") % {"email": email})
        member = MerchantMember.objects.create(
            merchant_id=merchant_id, user=user, role=MerchantMember.Role.STAFF
        )
        invitation = StaffInvitation.objects.create(
            merchant_id=merchant_id, user=user, invited_by=actor
        )
    task_after_commit(staff_invitation_send, invitation.pk)
    return member


def staff_remove(*, actor: User, merchant_id: int, member_id: int) -> None:
    """Take a member of staff off the shop (their account stays: it may shop here). Owners only;
    an owner cannot be removed this way."""
    _require_owner(actor=actor, merchant_id=merchant_id)
    removed, _details = MerchantMember.objects.filter(
        pk=member_id, merchant_id=merchant_id, role=MerchantMember.Role.STAFF
    ).delete()
    if not removed:
        raise StaffInvalid(_("This person is not on the shop's staff."))
