"""A campaign's public page, on the town's host."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from comptoir.http import TownRequest
from comptoir.page_seen import PageSeen, page_seen_mark
from comptoir.town import town_now
from marketplace.campaigns.selectors import (
    campaign_for_preview,
    campaign_page_content,
    campaign_public,
)


@require_GET
def campaign_detail(request: TownRequest, slug: str) -> HttpResponse:
    now = town_now()
    campaign = campaign_public(slug=slug, today=now.date())
    # The town's administrators see a campaign before it is out, to check it.
    is_preview = campaign is None and request.user.is_authenticated and request.user.is_town_admin
    if is_preview:
        campaign = campaign_for_preview(slug=slug)
    if campaign is None:
        raise Http404
    if not is_preview:
        page_seen_mark(request, PageSeen(kind="campaign", campaign_id=campaign.pk))
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "content": campaign_page_content(campaign=campaign, now=now),
            "is_preview": is_preview,
            "page_url": request.tenant.build_url(campaign.get_absolute_url()),
        },
    )
