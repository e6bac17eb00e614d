from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.forms import LongTextField
from marketplace.messaging.services import MESSAGE_MAX_LENGTH


class MessageForm(forms.Form):
    body = LongTextField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
