from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.forms import LongTextField, PhoneField
from marketplace.appointments.services import CAPACITY_RANGE, DURATION_RANGE, NOTE_MAX_LENGTH
from marketplace.directory.models import OpeningHours


class BookingForm(forms.Form):
    """The shopper's booking. The slot's radios are drawn by the template, day by day; whether
    the slot is still free is the service's call, under its lock."""

    slot = forms.IntegerField(
        label=_("Time"), min_value=1, error_messages={"required": _("Choose a time.")}
    )
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your e-mail"), help_text=_("The confirmation is sent here."))
    phone = PhoneField(label=_("Your phone"), required=False)
    note = LongTextField(
        label=_("A note for the shop"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class MerchantCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason given to the customer"),
        max_length=255,
        error_messages={"required": _("Tell the customer why you cancel.")},
    )


class SlotRuleForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=OpeningHours.Weekday.choices, coerce=int
    )
    starts_at = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label=_("Duration of a slot (minutes)"),
        min_value=DURATION_RANGE[0],
        max_value=DURATION_RANGE[1],
        initial=30,
    )
    capacity = forms.IntegerField(
        label=_("People per slot"),
        min_value=CAPACITY_RANGE[0],
        max_value=CAPACITY_RANGE[1],
        initial=1,
    )
