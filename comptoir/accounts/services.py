"""Accounts: inviting a person to a town and letting them choose their password."""

from comptoir.accounts.models import User
from comptoir.celery import task_after_commit


def town_admin_invite(*, email: str, town: object) -> User:
    """Create (or promote) a town administrator in the current town schema and e-mail them a
    one-time link to choose their password. No password ever travels in clear."""
    from comptoir.accounts.tasks import account_invitation_send

    user, _created = User.objects.get_or_create(email=email.lower())
    if not user.is_town_admin:
        user.is_town_admin = True
        user.save(update_fields=["is_town_admin"])
    task_after_commit(account_invitation_send, user.pk)
    return user
