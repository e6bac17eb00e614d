"""The town's campaigns: the list, the form, publishing and deleting (under /gestion/campagnes/)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comptoir.http import SignedInTownRequest
from comptoir.town import town_now
from marketplace.campaigns.errors import CampaignError, CampaignInvalid, CampaignNotFound
from marketplace.campaigns.models import Campaign
from marketplace.campaigns.selectors import campaign_for_admin, campaigns_for_admin
from marketplace.campaigns.services import (
    campaign_create,
    campaign_delete,
    campaign_publish,
    campaign_unpublish,
    campaign_update,
)
from surfaces.town_admin.access import town_admin_required
from surfaces.town_admin.forms.campaigns import CampaignForm

CAMPAIGNS_PAGE_SIZE = 20


def _errors_on_form(form: CampaignForm, error: CampaignInvalid) -> None:
    for field, field_messages in error.errors.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


@town_admin_required
@require_GET
def campaigns(request: SignedInTownRequest) -> HttpResponse:
    page = Paginator(campaigns_for_admin(), CAMPAIGNS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "town_admin/campaigns.html",
        {"page": page, "campaigns": page.object_list, "today": town_now().date()},
    )


def _form_page(
    request: HttpRequest, form: CampaignForm, campaign: Campaign | None, status: int
) -> HttpResponse:
    return render(
        request,
        "town_admin/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=status,
    )


@town_admin_required
@require_http_methods(["GET", "POST"])
def campaign_create_view(request: SignedInTownRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, CampaignForm(), None, 200)
    form = CampaignForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            campaign = campaign_create(actor=request.user, **form.service_arguments())
        except CampaignInvalid as invalid:
            _errors_on_form(form, invalid)
        else:
            messages.success(
                request,
                _("The campaign “%(title)s” is saved. Publish it when it is ready.")
                % {"title": campaign.title},
            )
            return redirect("town_admin:campaign_edit", campaign_id=campaign.pk)
    return _form_page(request, form, None, 400)


@town_admin_required
@require_http_methods(["GET", "POST"])
def campaign_edit_view(request: SignedInTownRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_for_admin(campaign_id=campaign_id)
    if campaign is None:
        raise Http404
    if request.method != "POST":
        form = CampaignForm(initial=CampaignForm.initial_for(campaign), campaign=campaign)
        return _form_page(request, form, campaign, 200)
    form = CampaignForm(request.POST, request.FILES, campaign=campaign)
    if form.is_valid():
        try:
            campaign = campaign_update(
                actor=request.user, campaign_id=campaign.pk, **form.service_arguments()
            )
        except CampaignNotFound as missing:
            raise Http404 from missing
        except CampaignInvalid as invalid:
            _errors_on_form(form, invalid)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("town_admin:campaign_edit", campaign_id=campaign.pk)
    return _form_page(request, form, campaign, 400)


def _campaign_action(
    request: HttpRequest, campaign_id: int, action: Callable[..., Campaign], success: str
) -> HttpResponse:
    try:
        campaign = action(actor=request.user, campaign_id=campaign_id)
    except CampaignNotFound as missing:
        raise Http404 from missing
    except CampaignError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"title": campaign.title})
    return redirect("town_admin:campaigns")


@town_admin_required
@require_POST
def campaign_publish_view(request: SignedInTownRequest, campaign_id: int) -> HttpResponse:
    return _campaign_action(
        request,
        campaign_id,
        campaign_publish,
        _(
            "“%(title)s” is published: its page is public, and the home page shows it while it runs."
        ),
    )


@town_admin_required
@require_POST
def campaign_unpublish_view(request: SignedInTownRequest, campaign_id: int) -> HttpResponse:
    return _campaign_action(
        request,
        campaign_id,
        campaign_unpublish,
        _("“%(title)s” is withdrawn from the portal."),
    )


@town_admin_required
@require_http_methods(["GET", "POST"])
def campaign_delete_view(request: SignedInTownRequest, campaign_id: int) -> HttpResponse:
    """A page asks to confirm; only its form's POST deletes."""
    if request.method == "POST":
        return _campaign_action(request, campaign_id, campaign_delete, _("“%(title)s” is deleted."))
    campaign = campaign_for_admin(campaign_id=campaign_id)
    if campaign is None:
        raise Http404
    return render(request, "town_admin/campaign_delete.html", {"campaign": campaign})
