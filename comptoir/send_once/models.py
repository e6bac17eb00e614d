from django.db import models
from django.db.models.functions import Now


class SentOnce(models.Model):
    """Something sent once (an e-mail, an SMS): what it is for and which object it is about.

    The row is the claim taken before sending; it stays once sent and goes when sending fails.
    It lives in each town's schema, so one town's claim never stands in another's way.
    """

    purpose = models.CharField(max_length=60)
    key = models.CharField(max_length=64)
    claimed_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["purpose", "key"], name="send_once_purpose_key")
        ]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.key}"
