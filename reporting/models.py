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
