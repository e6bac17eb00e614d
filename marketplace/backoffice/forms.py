from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.forms import LongTextField


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)


class ReasonForm(forms.Form):
    """Why an order is refused or cancelled: the customer reads it."""

    reason = LongTextField(
        label=_("Reason given to the customer"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Tell the customer why.")},
    )


class ProductSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by title"), max_length=150, required=False)
