from django import forms
from django.utils.translation import gettext_lazy as _

from billing.services.transfers import ALL_BPS


class TownCommissionForm(forms.Form):
    rate_bps = forms.IntegerField(
        label=_("Commission on card payments (basis points)"),
        min_value=0,
        max_value=ALL_BPS,
        help_text=_("100 basis points make 1 %; 0 keeps nothing."),
    )


class MerchantCommissionForm(forms.Form):
    merchant_id = forms.IntegerField(widget=forms.HiddenInput)
    rate_bps = forms.IntegerField(
        label=_("This shop's commission (basis points)"),
        min_value=0,
        max_value=ALL_BPS,
        required=False,
        help_text=_("Leave empty for the town's rate."),
    )
