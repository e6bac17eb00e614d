from django import forms
from django.utils.translation import gettext_lazy as _

from onboarding.models import RegistryImport


class RegistryUploadForm(forms.Form):
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=RegistryImport.Format.choices,
        initial=RegistryImport.Format.SIRENE,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Registry file (CSV, UTF-8)"),
        help_text=_(
            "SIRENE: INSEE's establishments file, or a regional extract that carries "
            "denominationUniteLegale. OpenStreetMap: an export with name, shop or amenity, "
            "lat, lon."
        ),
    )
    legal_units = forms.FileField(
        label=_("SIRENE legal units file (optional)"),
        required=False,
        help_text=_("StockUniteLegale, for the names of establishments that have no sign."),
    )
