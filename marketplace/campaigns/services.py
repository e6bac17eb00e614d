"""Writing campaigns: the town's administrators create, edit, publish and withdraw them.

Every service checks that the actor administers the town (CampaignForbidden), refuses bad input
with CampaignInvalid (translated messages per field) and changes nothing then. Featured
merchants and products must be visible to the public (approved, published) when chosen.
"""

import enum
from collections.abc import Sequence
from datetime import date
from pathlib import PurePosixPath

from django.contrib.auth.models import AnonymousUser
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.db import connection
from comptoir.images import image_format_detect
from comptoir.slugs import slug_free
from marketplace.campaigns.errors import CampaignForbidden, CampaignInvalid, CampaignNotFound
from marketplace.campaigns.models import (
    IMAGE_ALT_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Campaign,
)
from marketplace.catalogue.selectors import products_visible
from marketplace.directory.selectors import merchants_visible

# Enough for a campaign page; the home page shows the first few.
MAX_FEATURED = 24
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})

Actor = User | AnonymousUser | None


class _Keep(enum.Enum):
    KEEP = "keep"


# "Leave this field as it is" for campaign_update (None is a value for the image: remove it).
KEEP = _Keep.KEEP


def _require_town_admin(actor: Actor) -> User:
    if not isinstance(actor, User) or not actor.is_authenticated or not actor.is_town_admin:
        raise CampaignForbidden(_("Only the town's administrators manage campaigns."))
    return actor


def _image_problem(image: File) -> str | None:
    if image.size is not None and image.size > MAX_IMAGE_BYTES:
        return _("The image is larger than 10 MB.")
    if image_format_detect(image) not in IMAGE_FORMATS:
        return _("This file is not an image we can read: send a JPEG, PNG or WebP image.")
    return None


def _checked(
    *,
    title: str,
    text: str,
    starts_on: date,
    ends_on: date,
    image: File | None,
    image_alt: str,
    merchant_ids: Sequence[int],
    product_ids: Sequence[int],
) -> dict[str, object]:
    """The cleaned fields, or CampaignInvalid naming every problem."""
    errors: dict[str, list[str]] = {}
    title = " ".join(title.split())
    if not title:
        errors["title"] = [_("Give the campaign a title.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [
            _("Keep the title under %(max)d characters.") % {"max": TITLE_MAX_LENGTH}
        ]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The last day cannot come before the first day.")]
    image_alt = image_alt.strip()
    if len(image_alt) > IMAGE_ALT_MAX_LENGTH:
        errors["image_alt"] = [
            _("Keep the description under %(max)d characters.") % {"max": IMAGE_ALT_MAX_LENGTH}
        ]
    if image is not None and (problem := _image_problem(image)):
        errors["image"] = [problem]

    merchant_ids = sorted(set(merchant_ids))
    product_ids = sorted(set(product_ids))
    for field, ids, visible in (
        ("merchants", merchant_ids, merchants_visible()),
        ("products", product_ids, products_visible()),
    ):
        if len(ids) > MAX_FEATURED:
            errors[field] = [_("Feature at most %(max)d of them.") % {"max": MAX_FEATURED}]
        elif ids and visible.filter(pk__in=ids).count() != len(ids):
            errors[field] = [
                _("Some of them are not on the portal (not approved, or not published).")
            ]
    if errors:
        raise CampaignInvalid(errors)
    return {
        "title": title,
        "text": text.strip(),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "image_alt": image_alt,
        "merchant_ids": merchant_ids,
        "product_ids": product_ids,
    }


def _image_store(campaign: Campaign, image: File) -> None:
    suffix = PurePosixPath(image.name or "").suffix.lower() or ".jpg"
    # Default storage puts the file under the town's schema name.
    campaign.image.save(f"{campaign.slug[:80]}{suffix}", image, save=False)


def _file_delete_after_commit(campaign: Campaign, name: str) -> None:
    """Remove a replaced or deleted image once the row no longer names it."""
    if name:
        storage = campaign.image.storage
        transaction.on_commit(lambda: storage.delete(name))


def _locked(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise CampaignNotFound(_("This campaign does not exist."))
    return campaign


def _overlap_refuse(campaign: Campaign) -> None:
    """The home page shows one campaign at a time: a published campaign's dates may not overlap
    another published one's. Publishing takes a lock per town first, so two administrators
    publishing at once cannot both pass the check."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{connection.schema_name}:campaigns"]
        )
    other = (
        Campaign.objects.filter(
            is_published=True, starts_on__lte=campaign.ends_on, ends_on__gte=campaign.starts_on
        )
        .exclude(pk=campaign.pk)
        .order_by("starts_on", "pk")
        .first()
    )
    if other is not None:
        raise CampaignInvalid(
            {
                "starts_on": [
                    _(
                        "These dates overlap “%(title)s” (%(starts)s to %(ends)s), which the "
                        "home page shows then: change the dates, or withdraw it first."
                    )
                    % {
                        "title": other.title,
                        "starts": formats.date_format(other.starts_on, "SHORT_DATE_FORMAT"),
                        "ends": formats.date_format(other.ends_on, "SHORT_DATE_FORMAT"),
                    }
                ]
            }
        )


def campaign_create(
    *,
    actor: Actor,
    title: str,
    starts_on: date,
    ends_on: date,
    text: str = "",
    image: File | None = None,
    image_alt: str = "",
    merchant_ids: Sequence[int] = (),
    product_ids: Sequence[int] = (),
) -> Campaign:
    """A new campaign, unpublished: the public sees it once campaign_publish is called."""
    admin = _require_town_admin(actor)
    cleaned = _checked(
        title=title,
        text=text,
        starts_on=starts_on,
        ends_on=ends_on,
        image=image,
        image_alt=image_alt,
        merchant_ids=merchant_ids,
        product_ids=product_ids,
    )
    merchant_ids = cleaned.pop("merchant_ids")  # type: ignore[assignment]
    product_ids = cleaned.pop("product_ids")  # type: ignore[assignment]
    for _attempt in range(3):
        try:
            with transaction.atomic(durable=True):
                campaign = Campaign.objects.create(
                    slug=slug_free(
                        rows=Campaign.objects.all(),
                        text=str(cleaned["title"]),
                        base_length=SLUG_MAX_LENGTH - 8,
                        fallback="campagne",
                    ),
                    created_by=admin,
                    **cleaned,
                )
                if image is not None:
                    _image_store(campaign, image)
                    campaign.save(update_fields=["image"])
                campaign.featured_merchants.set(merchant_ids)
                campaign.featured_products.set(product_ids)
            return campaign
        except IntegrityError:
            # A twin campaign took the slug meanwhile: take the next one.
            continue
    raise IntegrityError("No free slug found for this campaign.")


def campaign_update(
    *,
    actor: Actor,
    campaign_id: int,
    title: str | _Keep = KEEP,
    text: str | _Keep = KEEP,
    starts_on: date | _Keep = KEEP,
    ends_on: date | _Keep = KEEP,
    image: File | _Keep | None = KEEP,
    image_alt: str | _Keep = KEEP,
    merchant_ids: Sequence[int] | _Keep = KEEP,
    product_ids: Sequence[int] | _Keep = KEEP,
) -> Campaign:
    """Change what is given and leave the rest (KEEP); `image=None` removes the image.
    The slug never changes, so links already shared keep working."""
    _require_town_admin(actor)
    with transaction.atomic(durable=True):
        campaign = _locked(campaign_id)
        current_merchants = list(campaign.featured_merchants.values_list("pk", flat=True))
        current_products = list(campaign.featured_products.values_list("pk", flat=True))
        cleaned = _checked(
            title=campaign.title if title is KEEP else title,
            text=campaign.text if text is KEEP else text,
            starts_on=campaign.starts_on if starts_on is KEEP else starts_on,
            ends_on=campaign.ends_on if ends_on is KEEP else ends_on,
            image=image if isinstance(image, File) else None,
            image_alt=campaign.image_alt if image_alt is KEEP else image_alt,
            merchant_ids=current_merchants if merchant_ids is KEEP else merchant_ids,
            product_ids=current_products if product_ids is KEEP else product_ids,
        )
        new_merchants = cleaned.pop("merchant_ids")
        new_products = cleaned.pop("product_ids")
        for name, value in cleaned.items():
            setattr(campaign, name, value)
        if image is not KEEP:
            _file_delete_after_commit(campaign, campaign.image.name or "")
            campaign.image = ""
            if image is not None:
                _image_store(campaign, image)
        if campaign.is_published:
            _overlap_refuse(campaign)
        campaign.save()
        if merchant_ids is not KEEP:
            campaign.featured_merchants.set(new_merchants)  # type: ignore[arg-type]
        if product_ids is not KEEP:
            campaign.featured_products.set(new_products)  # type: ignore[arg-type]
    return campaign


def campaign_publish(*, actor: Actor, campaign_id: int) -> Campaign:
    """Show the campaign to the public: its page, and the home page while it runs."""
    _require_town_admin(actor)
    with transaction.atomic(durable=True):
        campaign = _locked(campaign_id)
        if not campaign.is_published:
            _overlap_refuse(campaign)
            campaign.is_published = True
            campaign.published_at = timezone.now()
            campaign.save(update_fields=["is_published", "published_at", "updated_at"])
    return campaign


def campaign_unpublish(*, actor: Actor, campaign_id: int) -> Campaign:
    """Withdraw the campaign from the public; it stays editable and can be published again."""
    _require_town_admin(actor)
    with transaction.atomic(durable=True):
        campaign = _locked(campaign_id)
        if campaign.is_published:
            campaign.is_published = False
            campaign.save(update_fields=["is_published", "updated_at"])
    return campaign


def campaign_delete(*, actor: Actor, campaign_id: int) -> Campaign:
    """Delete a campaign that is not published (withdraw it first); returns it as it was."""
    _require_town_admin(actor)
    with transaction.atomic(durable=True):
        campaign = _locked(campaign_id)
        if campaign.is_published:
            raise CampaignInvalid(
                {"is_published": [_("Withdraw the campaign from the portal before deleting it.")]}
            )
        _file_delete_after_commit(campaign, campaign.image.name or "")
        campaign.delete()
    return campaign
