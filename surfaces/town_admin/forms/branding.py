"""The branding form: it parses input; the service judges it."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.forms import PhoneField, text_limit_help
from tenants.models import Town
from tenants.services.branding import IMAGE_FIELDS, TEXT_MAX_LENGTHS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_IMAGE_ACCEPT = "image/png,image/jpeg,image/webp,image/gif"


def _text(
    label: "StrOrPromise", name: str, *, required: bool = False, **kwargs: Any
) -> forms.CharField:
    widget = kwargs.pop("widget", forms.TextInput)
    limit = TEXT_MAX_LENGTHS[name]
    if widget is forms.Textarea:
        kwargs["help_text"] = text_limit_help(limit, kwargs.get("help_text", ""))
    return forms.CharField(
        label=label, required=required, max_length=limit, widget=widget, **kwargs
    )


def _colour(label: "StrOrPromise", help_text: "StrOrPromise") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={
                "maxlength": 7,
                "size": 8,
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "colour-input",
            }
        ),
    )


def _image(label: "StrOrPromise", help_text: "StrOrPromise") -> forms.FileField:
    return forms.FileField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.FileInput(attrs={"accept": _IMAGE_ACCEPT}),
    )


class BrandingForm(forms.Form):
    primary_colour = _colour(
        _("Main colour"),
        _(
            "As #RRGGBB. The header and the buttons show white text on it, so it must be dark "
            "enough: a contrast ratio of at least 4.5:1."
        ),
    )
    accent_colour = _colour(
        _("Accent colour"),
        _("As #RRGGBB, for highlights under white text: a contrast ratio of at least 4.5:1."),
    )
    logo = _image(
        _("Logo"),
        _("PNG, JPEG, WebP or GIF, at most 5 MB. Shown at 40 pixels high in the header."),
    )
    logo_remove = forms.BooleanField(label=_("Remove the current logo"), required=False)
    hero_image = _image(
        _("Hero image"),
        _(
            "The photo behind the town's name on the home page, darkened so the text stays "
            "readable. A wide landscape picture; PNG, JPEG, WebP or GIF, at most 5 MB."
        ),
    )
    hero_image_remove = forms.BooleanField(label=_("Remove the current hero image"), required=False)
    tagline = _text(_("Tagline"), "tagline")
    welcome_text = _text(_("Welcome text"), "welcome_text", widget=forms.Textarea)
    contact_email = _text(_("Contact e-mail"), "contact_email", widget=forms.EmailInput)
    contact_phone = PhoneField(label=_("Contact phone"), required=False)
    contact_address = _text(_("Contact address"), "contact_address")
    legal_notice = _text(_("Legal notice"), "legal_notice", required=True, widget=forms.Textarea)
    accessibility_statement = _text(
        _("Accessibility statement"),
        "accessibility_statement",
        required=True,
        widget=forms.Textarea,
    )

    # Legends and the fields each fieldset holds, in page order.
    fieldsets = (
        (_("Colours"), ("primary_colour", "accent_colour")),
        (_("Images"), ("logo", "logo_remove", "hero_image", "hero_image_remove")),
        (_("Home page"), ("tagline", "welcome_text")),
        (_("Contact"), ("contact_email", "contact_phone", "contact_address")),
        (_("Legal pages"), ("legal_notice", "accessibility_statement")),
    )

    def __init__(self, *args: Any, town: Town, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in IMAGE_FIELDS:
            # Nothing to remove: the checkbox would only confuse.
            if not getattr(town, name):
                del self.fields[f"{name}_remove"]

    @classmethod
    def initial_for(cls, town: Town) -> dict[str, str]:
        return {
            name: getattr(town, name)
            for name in ("primary_colour", "accent_colour", *TEXT_MAX_LENGTHS)
        }

    def grouped_fields(self) -> list[tuple["StrOrPromise", list[forms.BoundField]]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.fieldsets
        ]

    def branding_changes(self) -> dict[str, Any]:
        """The service's arguments: every text and colour; an image only when replaced or
        removed (None)."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            name: data[name] for name in ("primary_colour", "accent_colour", *TEXT_MAX_LENGTHS)
        }
        for name in IMAGE_FIELDS:
            if data.get(name):
                changes[name] = data[name]
            elif data.get(f"{name}_remove"):
                changes[name] = None
        return changes
