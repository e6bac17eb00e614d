from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MerchantDailyVisits(models.Model):
    """How many times a merchant's public page was seen on one day (the dashboard's "visits").

    One row per merchant and day, incremented with F() so concurrent views never lose a count.
    """

    merchant = models.ForeignKey(
        "directory.Merchant", on_delete=models.CASCADE, related_name="daily_visits"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("daily visits")
        verbose_name_plural = _("daily visits")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "day"], name="one_visit_row_per_day")
        ]


class StaffInvitation(models.Model):
    """An owner added someone to their shop's staff; `sent_at` is claimed by the e-mail task,
    so the invitation is sent once however often the task is retried."""

    merchant = models.ForeignKey(
        "directory.Merchant", on_delete=models.CASCADE, related_name="staff_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at", "-pk"]
