"""Accounts: inviting a person to a town and letting them choose their password."""

from django.db import connection, transaction
from django.utils import timezone

from comptoir.accounts.models import User


def town_admin_invite(*, email: str, town: object) -> User:
    """Create (or promote) a town administrator in the current town schema and e-mail them a
    one-time link to choose their password. No password ever travels in clear."""
    from comptoir.accounts.tasks import account_invitation_send

    user, _created = User.objects.get_or_create(email=email.lower())
    if not user.is_town_admin:
        user.is_town_admin = True
        user.save(update_fields=["is_town_admin"])
    schema_name = connection.schema_name
    transaction.on_commit(
        lambda: account_invitation_send.apply_async(
            args=[user.pk], headers={"_schema_name": schema_name}
        )
    )
    return user


def invitation_mark_sent(*, user_id: int) -> bool:
    """Claim the right to send this user's invitation: True once, False after (idempotent task)."""
    return bool(
        User.objects.filter(pk=user_id, invitation_sent_at__isnull=True).update(
            invitation_sent_at=timezone.now()
        )
    )


def invitation_unmark_sent(*, user_id: int) -> None:
    User.objects.filter(pk=user_id).update(invitation_sent_at=None)
