"""The shop's public profile, its week's hours and its exceptional days (DIRECTORY's forms and
services; this is only their page)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.town import town_now
from marketplace.backoffice.access import BackofficeRequest, backoffice_view
from marketplace.backoffice.views.base import backoffice_render
from marketplace.directory.errors import DirectoryError
from marketplace.directory.forms import (
    BaseWeekHoursFormSet,
    MerchantPhotoForm,
    MerchantProfileForm,
    SpecialHoursForm,
    form_add_service_error,
    week_hours_formset,
)
from marketplace.directory.models import Merchant, MerchantPhoto, SpecialHours
from marketplace.directory.services.merchants import (
    merchant_photo_add,
    merchant_photo_remove,
    merchant_profile_update,
)
from marketplace.directory.services.opening_hours import (
    opening_hours_set,
    special_hours_add,
    special_hours_remove,
)

SPECIAL_DAYS_SHOWN = 60


def _profile_render(
    request: BackofficeRequest,
    *,
    merchant: Merchant,
    form: MerchantProfileForm,
    photo_form: MerchantPhotoForm,
) -> HttpResponse:
    invalid = bool(form.errors or photo_form.errors)
    return backoffice_render(
        request,
        "backoffice/profile.html",
        {"form": form, "photo_form": photo_form, "photos": list(merchant.photos.all())},
        status=400 if invalid else 200,
    )


@require_http_methods(["GET", "POST"])
@backoffice_view()
def profile_edit(request: BackofficeRequest) -> HttpResponse:
    merchant = Merchant.objects.prefetch_related("photos").get(pk=request.merchant.pk)
    form = MerchantProfileForm(request.POST or None, request.FILES or None, instance=merchant)
    if request.method == "POST" and form.is_valid():
        changes = form.profile_changes()
        try:
            if changes:
                merchant_profile_update(merchant_id=merchant.pk, actor=request.user, **changes)
        except DirectoryError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("backoffice:profile")
    return _profile_render(request, merchant=merchant, form=form, photo_form=MerchantPhotoForm())


@require_POST
@backoffice_view()
def profile_photo_add(request: BackofficeRequest) -> HttpResponse:
    merchant = Merchant.objects.prefetch_related("photos").get(pk=request.merchant.pk)
    photo_form = MerchantPhotoForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            merchant_photo_add(
                merchant_id=merchant.pk,
                actor=request.user,
                image=photo_form.cleaned_data["image"],
                alt_text=photo_form.cleaned_data["alt_text"],
            )
        except DirectoryError as error:
            form_add_service_error(photo_form, error)
        else:
            messages.success(request, _("The photo is added to your page."))
            return redirect("backoffice:profile")
    return _profile_render(
        request,
        merchant=merchant,
        form=MerchantProfileForm(instance=merchant),
        photo_form=photo_form,
    )


@require_POST
@backoffice_view()
def profile_photo_remove(request: BackofficeRequest, pk: int) -> HttpResponse:
    try:
        merchant_photo_remove(merchant_id=request.merchant.pk, actor=request.user, photo_id=pk)
    except MerchantPhoto.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The photo is removed."))
    return redirect("backoffice:profile")


@require_http_methods(["GET", "POST"])
@backoffice_view()
def hours_edit(request: BackofficeRequest) -> HttpResponse:
    """The week's opening ranges, and the exceptional days (closures, other hours) to come."""
    merchant = Merchant.objects.prefetch_related("opening_hours").get(pk=request.merchant.pk)
    formset = week_hours_formset(
        merchant=merchant, data=request.POST if request.method == "POST" else None
    )
    hours_errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            opening_hours_set(merchant_id=merchant.pk, actor=request.user, ranges=formset.ranges())
        except DirectoryError as error:
            hours_errors = error.messages
        else:
            messages.success(request, _("Your opening hours are saved."))
            return redirect("backoffice:hours")
    return _hours_render(
        request,
        merchant=merchant,
        formset=formset,
        hours_errors=hours_errors,
        special_form=SpecialHoursForm(),
    )


def _hours_render(
    request: BackofficeRequest,
    *,
    merchant: Merchant,
    formset: BaseWeekHoursFormSet,
    special_form: SpecialHoursForm,
    hours_errors: list[str] | None = None,
) -> HttpResponse:
    today = town_now().date()
    special_days = list(
        SpecialHours.objects.filter(merchant_id=merchant.pk, date__gte=today).order_by(
            "date", "opens_at"
        )[:SPECIAL_DAYS_SHOWN]
    )
    invalid = (
        bool(hours_errors)
        or (formset.is_bound and not formset.is_valid())
        or bool(special_form.errors)
    )
    return backoffice_render(
        request,
        "backoffice/hours.html",
        {
            "formset": formset,
            "hours_errors": hours_errors or [],
            "special_form": special_form,
            "special_days": special_days,
        },
        status=400 if invalid else 200,
    )


@require_POST
@backoffice_view()
def special_hours_create(request: BackofficeRequest) -> HttpResponse:
    merchant = Merchant.objects.prefetch_related("opening_hours").get(pk=request.merchant.pk)
    form = SpecialHoursForm(request.POST)
    if form.is_valid():
        try:
            special_hours_add(merchant_id=merchant.pk, actor=request.user, **form.cleaned_data)
        except DirectoryError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("The exceptional hours are saved."))
            return redirect("backoffice:hours")
    return _hours_render(
        request, merchant=merchant, formset=week_hours_formset(merchant=merchant), special_form=form
    )


@require_POST
@backoffice_view()
def special_hours_delete(request: BackofficeRequest, pk: int) -> HttpResponse:
    try:
        special_hours_remove(
            merchant_id=request.merchant.pk,
            actor=request.user,
            special_hours_ids=[pk],
        )
    except SpecialHours.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The exceptional hours are removed."))
    return redirect("backoffice:hours")
