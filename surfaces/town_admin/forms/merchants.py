"""The refusal of a merchant's application: the reason the applicant reads."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.forms import LongTextField
from marketplace.directory.services.merchants import REJECTION_REASON_MAX_LENGTH


class MerchantRejectForm(forms.Form):
    reason = LongTextField(
        label=_("Reason given to the applicant"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REJECTION_REASON_MAX_LENGTH,
    )
