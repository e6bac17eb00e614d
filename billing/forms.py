"""The refund form shared by the shop's back office and the town's administration."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.errors import RefundInvalid
from billing.models import OrderRefund
from billing.refund_selectors import RefundableLine
from billing.services.order_refunds import order_refund
from comptoir.accounts.models import User
from comptoir.forms import LongTextField
from comptoir.money import euros_format
from marketplace.orders.models import Order

WHOLE = "whole"


class RefundForm(forms.Form):
    """How many items of each line to give back (`line-<id>`), or the whole order (a submit
    button named "whole"), and why."""

    reason = LongTextField(
        label=_("Reason (the customer reads it)"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, lines: list[RefundableLine], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lines = lines
        for item in lines:
            self.fields[f"line-{item.line.pk}"] = forms.IntegerField(
                label=item.line.product_title,
                min_value=0,
                max_value=item.left,
                initial=0,
                required=False,
                disabled=item.left == 0,
                error_messages={
                    "max_value": _("Only %(limit_value)s can still be refunded."),
                    "min_value": _("A quantity is 0 or more."),
                    "invalid": _("Enter a whole number."),
                },
            )

    def rows(self) -> list[tuple[RefundableLine, forms.BoundField]]:
        return [(item, self[f"line-{item.line.pk}"]) for item in self.lines]

    def quantities(self) -> dict[int, int]:
        """Line id → items to refund; every item left when the whole order was asked."""
        if WHOLE in self.data:
            return {item.line.pk: item.left for item in self.lines if item.left}
        return {
            item.line.pk: self.cleaned_data.get(f"line-{item.line.pk}") or 0
            for item in self.lines
            if item.left
        }


def refund_form_submit(
    request: HttpRequest,
    form: RefundForm,
    *,
    order: Order,
    actor: User,
    as_town_admin: bool = False,
) -> OrderRefund | None:
    """Validate the posted form and make the refund, telling the user how much went back; None
    with the errors on the form (the service's refusal as a form error) when it does not hold."""
    if not form.is_valid():
        return None
    try:
        refund = order_refund(
            order_id=order.pk,
            actor=actor,
            quantities=form.quantities(),
            reason=form.cleaned_data["reason"],
            as_town_admin=as_town_admin,
        )
    except RefundInvalid as error:
        form.add_error(None, str(error))
        return None
    messages.success(
        request,
        gettext("%(amount)s refunded to the customer.")
        % {"amount": euros_format(refund.amount_cents)},
    )
    return refund
