from django import forms
from django.utils.translation import gettext_lazy as _

from billing.shared.models import SubscriptionPlan
from billing.shared.selectors import plans_offered


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SubscriptionPlan) -> str:
        return str(obj.name)


class SubscriptionCreateForm(forms.Form):
    plan = PlanChoiceField(label=_("Plan"), queryset=SubscriptionPlan.objects.none())
    billing_email = forms.EmailField(
        label=_("Finance department's e-mail"),
        help_text=_("Stripe sends the invoices there."),
    )
    trial_days = forms.IntegerField(label=_("Days of trial"), min_value=0, max_value=90, initial=30)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["plan"].queryset = plans_offered()  # type: ignore[attr-defined]


class PlanChangeForm(forms.Form):
    plan = PlanChoiceField(label=_("New plan"), queryset=SubscriptionPlan.objects.none())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["plan"].queryset = plans_offered()  # type: ignore[attr-defined]
