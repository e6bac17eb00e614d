"""Forms of the vendor console: they parse input; the services decide."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import User
from tenants.models import Town


class ConsoleSignInForm(AuthenticationForm):
    """E-mail and password of a vendor staff member, and the code of their authenticator app."""

    otp_token = forms.CharField(
        label=_("Verification code"),
        required=False,
        max_length=8,
        help_text=_("The six digits shown by your authenticator app, once you have enrolled one."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        # The same answer as a wrong password: the console does not tell who has an account.
        if not user.is_staff:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class TwoFactorConfirmForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code shown by the app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


class TownFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=120)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *Town.Status.choices],
    )


class TownProvisionForm(forms.Form):
    """Only the shape of the input: `town_provision` validates it and names the faulty fields."""

    name = forms.CharField(label=_("Town name"))
    slug = forms.CharField(
        label=_("Address"),
        help_text=_("Lowercase letters, digits and hyphens: the town's subdomain."),
    )
    insee_code = forms.CharField(label=_("INSEE code"), required=False)
    admin_email = forms.CharField(
        label=_("Administrator's e-mail"),
        help_text=_("They receive an e-mail to choose their password."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    plan = forms.ChoiceField(
        label=_("Plan"), choices=Town.Plan.choices, initial=Town.Plan.ESSENTIAL
    )


class TownStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Town.Status.SUSPENDED, Town.Status.SUSPENDED.label),
            (Town.Status.ACTIVE, Town.Status.ACTIVE.label),
            (Town.Status.ARCHIVED, Town.Status.ARCHIVED.label),
        ]
    )


class TownDeleteForm(forms.Form):
    confirm_slug = forms.CharField(label=_("Type the town's address to confirm"), max_length=50)

    def __init__(self, *args: Any, town: Town, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.town = town
        self.fields["confirm_slug"].help_text = _("Type “%(slug)s”.") % {"slug": town.slug}

    def clean_confirm_slug(self) -> str:
        typed = self.cleaned_data["confirm_slug"].strip()
        if typed != self.town.slug:
            raise forms.ValidationError(_("This is not the town's address."))
        return typed


class DomainAddForm(forms.Form):
    domain = forms.CharField(
        label=_("Host name"),
        max_length=253,
        help_text=_("Point its DNS to the platform first, e.g. commerces.example.fr."),
    )
