"""Merchants: applying to the town's portal, the town's decision, and keeping a profile."""

import secrets
from collections.abc import Collection, Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Func, Max, Value
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.celery import task_after_commit
from comptoir.money import euros_format
from comptoir.page_cache import shop_window_changed
from comptoir.phones import phone_normalise
from comptoir.slugs import slug_free
from marketplace.directory.errors import (
    ApplicationNotPending,
    InvalidMerchantData,
    NotAllowed,
)
from marketplace.directory.models import Category, Merchant, MerchantMember, MerchantPhoto
from marketplace.directory.signals import merchant_name_or_category_changed

# What a merchant's members may change on their profile (never status, slug or the review),
# in the order the profile form shows them.
PROFILE_FIELDS: tuple[str, ...] = (
    "name",
    "category",
    "description",
    "logo",
    "address",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "phone",
    "email",
    "website",
    "facebook_url",
    "instagram_url",
    "siret",
    "sells_online",
    "offers_click_collect",
    "offers_local_delivery",
    "local_delivery_zone",
    "local_delivery_fee_cents",
    "offers_postal_delivery",
    "postal_delivery_fee_cents",
    "offers_appointments",
    "offers_reserve_pay_in_shop",
)
MAX_PHOTOS = 12
REJECTION_REASON_MAX_LENGTH = 2000
DESCRIPTION_MAX_LENGTH = 5000
# A thousand euros: more is a typing slip.
DELIVERY_FEE_MAX_CENTS = 100_000


def merchant_require_member(*, actor: User, merchant_id: int) -> None:
    """Members of the merchant, and the town's administrators, may change it."""
    if not actor.is_authenticated or not actor.is_active:
        raise NotAllowed(_("Sign in to change this shop."))
    if actor.is_town_admin:
        return
    if not MerchantMember.objects.filter(merchant_id=merchant_id, user=actor).exists():
        raise NotAllowed(_("You are not a member of this shop."))


def _require_town_admin(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_town_admin):
        raise NotAllowed(_("Only the town's administrators may review applications."))


def _validation_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def _merchant_slug_free(name: str) -> str:
    return slug_free(rows=Merchant.objects.all(), text=name, base_length=120, fallback="commerce")


def _profile_rules(merchant: Merchant) -> dict[str, list[str]]:
    """Rules across fields: a switch that cannot work as set is refused with its reason."""
    errors: dict[str, list[str]] = {}
    if len(merchant.description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [
            _("The description is at most %(max)d characters long.")
            % {"max": DESCRIPTION_MAX_LENGTH}
        ]
    for fee in ("local_delivery_fee_cents", "postal_delivery_fee_cents"):
        if (getattr(merchant, fee) or 0) > DELIVERY_FEE_MAX_CENTS:
            errors[fee] = [
                _("A delivery fee is at most %(max)s: check it.")
                % {"max": euros_format(DELIVERY_FEE_MAX_CENTS)}
            ]
    if merchant.offers_local_delivery and not merchant.local_delivery_zone.strip():
        errors["local_delivery_zone"] = [_("Say where you deliver (streets, districts, towns).")]
    if (merchant.latitude is None) != (merchant.longitude is None):
        errors["longitude" if merchant.longitude is None else "latitude"] = [
            _("Give both the latitude and the longitude, or neither.")
        ]
    if merchant.sells_online and not (
        merchant.offers_click_collect
        or merchant.offers_local_delivery
        or merchant.offers_postal_delivery
        or merchant.offers_reserve_pay_in_shop
    ):
        errors["sells_online"] = [
            _(
                "To sell online, offer at least one way to get the goods: click & collect, "
                "local delivery, delivery by post or reserve online and pay in shop."
            )
        ]
    return errors


def _merchant_errors(merchant: Merchant, *, exclude: Collection[str] = ()) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        merchant.full_clean(exclude=exclude or None, validate_unique=False)
    except ValidationError as error:
        errors.update(_validation_errors(error))
    for field, messages in _profile_rules(merchant).items():
        errors.setdefault(field, []).extend(messages)
    return errors


def _phone_normalised(merchant: Merchant) -> dict[str, list[str]]:
    """Store the merchant's phone in E.164; its error when it is not a phone number."""
    try:
        merchant.phone = phone_normalise(merchant.phone)
    except ValidationError as error:
        return {"phone": list(error.messages)}
    return {}


def _new_applicant_errors(
    *, email: str, password: str | None, full_name: str
) -> dict[str, list[str]]:
    """What is wrong with the e-mail and password of a person applying signed out. The same
    rules whether or not the e-mail has an account here: the answer must not tell."""
    if not email:
        return {"email": [_("Enter your e-mail address.")]}
    if not password:
        return {"password": [_("Choose a password.")]}
    try:
        validate_password(password, user=User(email=email, full_name=full_name.strip()))
    except ValidationError as error:
        return {"password": list(error.messages)}
    return {}


def _applicant_account_create(*, email: str, password: str, full_name: str) -> User | None:
    """The new account that will own the shop; None when the e-mail already has one (maybe
    made a moment ago by the same form sent twice)."""
    if User.objects.filter(email__iexact=email).exists():
        make_password(password)  # as long as the new account's hashing: the delay tells nothing
        return None
    new_user = User(email=email, full_name=full_name.strip())
    new_user.set_password(password)
    try:
        with transaction.atomic():
            new_user.save()
    except IntegrityError:
        return None
    return new_user


@transaction.atomic(durable=True)
def merchant_register(
    *,
    trade_name: str,
    category: Category,
    address: str,
    postcode: str,
    city: str,
    email: str,
    password: str | None = None,
    user: User | None = None,
    full_name: str = "",
    phone: str = "",
    siret: str = "",
) -> Merchant | None:
    """A person applies to list their shop (or association, service, activity) on the portal.

    Creates the merchant, awaiting the town's approval, with the applicant as its owner: the
    signed-in `user`, or a new account of `email` and `password`. The applicant and the town's
    administrators are e-mailed once the application is saved.

    Signed out, the e-mail may belong to an existing account: then nothing is created and no
    password is checked (that would let anyone try passwords, or learn who has an account);
    the account's owner is e-mailed how to apply from their account, and the result is None.
    The caller answers the same in both cases.
    """
    from marketplace.directory.tasks import (
        merchant_application_confirm,
        merchant_application_existing_account,
        merchant_application_notify,
    )

    signed_in = user is not None and user.is_authenticated
    email = User.objects.normalize_email(email).strip().lower()
    merchant = Merchant(
        name=trade_name.strip(),
        category=category,
        status=Merchant.Status.PENDING,
        address=address.strip(),
        postcode=postcode.strip(),
        city=city.strip(),
        email=email or (user.email if signed_in and user is not None else ""),
        phone=phone.strip(),
        siret=siret.replace(" ", ""),
    )
    merchant.slug = _merchant_slug_free(merchant.name or "commerce")
    errors = _phone_normalised(merchant)
    errors.update(_merchant_errors(merchant))
    if not signed_in:
        errors.update(_new_applicant_errors(email=email, password=password, full_name=full_name))
    if errors:
        raise InvalidMerchantData(errors)
    if signed_in and user is not None:
        owner = user
    else:
        new_owner = _applicant_account_create(
            email=email, password=password or "", full_name=full_name
        )
        if new_owner is None:
            task_after_commit(
                merchant_application_existing_account,
                email,
                merchant.name,
                secrets.token_urlsafe(16),
            )
            return None
        owner = new_owner
    for attempt in range(5):
        try:
            with transaction.atomic():
                merchant.save()
            break
        except IntegrityError:
            # Someone took that slug between our check and our insert: pick the next free one.
            if attempt == 4:
                raise
            merchant.slug = _merchant_slug_free(merchant.name)
    MerchantMember.objects.create(merchant=merchant, user=owner, role=MerchantMember.Role.OWNER)
    task_after_commit(merchant_application_notify, merchant.pk)
    task_after_commit(merchant_application_confirm, merchant.pk)
    return merchant


def merchant_listing_problems(merchant: Merchant) -> dict[str, list[str]]:
    """What is wrong with an entry the town lists itself (a registry import), unsaved: the rules
    an application is held to, its phone stored in E.164. Asks the database nothing: its
    category and its slug are the caller's and `merchants_list_unclaimed`'s."""
    errors = _phone_normalised(merchant)
    errors.update(_merchant_errors(merchant, exclude=("category", "slug")))
    return errors


def _merchant_slugs_free(names: Sequence[str]) -> list[str]:
    """A free slug for each name, in one query, none the same as another's."""
    bases = [slugify(name)[:120].strip("-") or "commerce" for name in names]
    if not bases:
        return []
    # Every slug that is one of the bases, numbered or not ("fournil", "fournil-2"): one cheap
    # regex per row, where one regex of a batch's many alternatives took 150 ms on 5,000 rows.
    stem = Func(F("slug"), Value("-[0-9]+$"), Value(""), function="regexp_replace")
    taken = set(
        Merchant.objects.annotate(stem=stem)
        .filter(stem__in=set(bases))
        .values_list("slug", flat=True)
    )
    slugs: list[str] = []
    for base in bases:
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


def merchants_list_unclaimed(*, merchants: Sequence[Merchant]) -> list[Merchant]:
    """The town lists businesses nobody has claimed yet (a registry import): shop-window entries,
    approved, selling nothing, with no member until their owner claims them; each gets a free
    slug and all are saved in one statement, in the caller's transaction.

    The caller checked each with `merchant_listing_problems`; the town's administrator (or the
    platform's command line) asked for the import, so no actor is checked here. Two listings
    racing for a slug with someone's application fail the batch (the unique constraint): the
    caller's retry finds the next free one.
    """
    for merchant, slug in zip(
        merchants, _merchant_slugs_free([m.name for m in merchants]), strict=True
    ):
        merchant.slug = slug
        merchant.status = Merchant.Status.APPROVED
        merchant.sells_online = False
    created = Merchant.objects.bulk_create(merchants)
    if created:
        shop_window_changed()  # bulk writes send no signal
    return created


def merchants_unclaimed_update(*, changes: Sequence[tuple[Merchant, Collection[str]]]) -> None:
    """Save the profile fields named beside each listing (not yet claimed: the caller checked it
    has no member), one statement per set of fields, in the caller's transaction."""
    unknown = {field for _merchant, fields in changes for field in fields}.difference(
        PROFILE_FIELDS
    )
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    by_fields: dict[tuple[str, ...], list[Merchant]] = {}
    now = timezone.now()
    for merchant, fields in changes:
        if fields:
            merchant.updated_at = now
            by_fields.setdefault(tuple(sorted(fields)), []).append(merchant)
    for fields, merchants in by_fields.items():
        Merchant.objects.bulk_update(merchants, [*fields, "updated_at"])
        if {"name", "category"} & set(fields):
            for merchant in merchants:
                merchant_name_or_category_changed.send(sender=Merchant, merchant_id=merchant.pk)
    if by_fields:
        shop_window_changed()


def _merchant_decide(
    *, merchant_id: int, actor: User, status: Merchant.Status, reason: str
) -> Merchant:
    from marketplace.directory.tasks import merchant_decision_notify

    _require_town_admin(actor)
    with transaction.atomic(durable=True):
        merchant = Merchant.objects.select_for_update().get(pk=merchant_id)
        if merchant.status != Merchant.Status.PENDING:
            raise ApplicationNotPending(
                _("This application was already decided (%(status)s).")
                % {"status": merchant.get_status_display()}
            )
        merchant.status = status
        merchant.reviewed_at = timezone.now()
        merchant.reviewed_by = actor
        merchant.review_reason = reason
        merchant.save(
            update_fields=["status", "reviewed_at", "reviewed_by", "review_reason", "updated_at"]
        )
        task_after_commit(merchant_decision_notify, merchant.pk)
    return merchant


def merchant_approve(*, merchant_id: int, actor: User) -> Merchant:
    """A town administrator approves an application: the merchant appears on the portal and its
    owners are e-mailed."""
    return _merchant_decide(
        merchant_id=merchant_id, actor=actor, status=Merchant.Status.APPROVED, reason=""
    )


def merchant_reject(*, merchant_id: int, actor: User, reason: str) -> Merchant:
    """A town administrator refuses an application, saying why; the owners are e-mailed."""
    reason = reason.strip()
    if not reason:
        raise InvalidMerchantData({"reason": [_("Tell the applicant why you refuse.")]})
    if len(reason) > REJECTION_REASON_MAX_LENGTH:
        raise InvalidMerchantData(
            {
                "reason": [
                    _("Keep the reason under %(count)d characters.")
                    % {"count": REJECTION_REASON_MAX_LENGTH}
                ]
            }
        )
    return _merchant_decide(
        merchant_id=merchant_id, actor=actor, status=Merchant.Status.REJECTED, reason=reason
    )


def merchant_profile_update(*, merchant_id: int, actor: User, **changes: Any) -> Merchant:
    """Change the profile fields given (names in PROFILE_FIELDS; `category` is a Category).

    Validates the whole profile as it would become; on any error nothing is saved and
    InvalidMerchantData lists every field at fault.
    """
    unknown = set(changes).difference(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    merchant_require_member(actor=actor, merchant_id=merchant_id)
    with transaction.atomic(durable=True):
        merchant = Merchant.objects.select_for_update().get(pk=merchant_id)
        for field, value in changes.items():
            if isinstance(value, str) and field != "description":
                value = value.strip()
            setattr(merchant, field, value)
        if "siret" in changes:
            merchant.siret = merchant.siret.replace(" ", "")
        errors = _phone_normalised(merchant) if "phone" in changes else {}
        errors.update(_merchant_errors(merchant))
        if errors:
            raise InvalidMerchantData(errors)
        merchant.save(update_fields=[*changes, "updated_at"])
        if {"name", "category"} & set(changes):
            merchant_name_or_category_changed.send(sender=Merchant, merchant_id=merchant_id)
    return merchant


def merchant_photo_add(
    *, merchant_id: int, actor: User, image: UploadedFile, alt_text: str
) -> MerchantPhoto:
    """Add a photo at the end of the merchant's gallery. A description is required: it is what
    screen-reader users get."""
    merchant_require_member(actor=actor, merchant_id=merchant_id)
    alt_text = alt_text.strip()
    if not alt_text:
        raise InvalidMerchantData(
            {"alt_text": [_("Describe the photo for people who cannot see it.")]}
        )
    with transaction.atomic(durable=True):
        Merchant.objects.select_for_update().only("pk").get(pk=merchant_id)
        photos = MerchantPhoto.objects.filter(merchant_id=merchant_id)
        if photos.count() >= MAX_PHOTOS:
            raise InvalidMerchantData(
                {"image": [_("A shop has at most %(count)d photos.") % {"count": MAX_PHOTOS}]}
            )
        last = photos.aggregate(last=Max("position"))["last"]
        photo = MerchantPhoto(
            merchant_id=merchant_id,
            image=image,
            alt_text=alt_text,
            position=0 if last is None else last + 1,
        )
        try:
            photo.full_clean(exclude=["merchant"])
        except ValidationError as error:
            raise InvalidMerchantData(_validation_errors(error)) from error
        photo.save()
    return photo


def merchant_photo_remove(*, merchant_id: int, actor: User, photo_id: int) -> None:
    """Remove one of the merchant's photos; its file goes once the removal is committed."""
    merchant_require_member(actor=actor, merchant_id=merchant_id)
    with transaction.atomic(durable=True):
        photo = MerchantPhoto.objects.get(pk=photo_id, merchant_id=merchant_id)
        image = photo.image
        photo.delete()
        transaction.on_commit(lambda: image.delete(save=False))
