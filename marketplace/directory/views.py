"""The directory's public pages on a town's host: the list, a merchant, the map, the widget,
and the form to apply as a merchant."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from comptoir.page_cache import shop_window_page
from comptoir.town import town_now
from marketplace.backoffice.services import merchant_visit_record
from marketplace.catalogue.models import Product, ProductPhoto
from marketplace.directory.errors import DirectoryError
from marketplace.directory.forms import (
    DirectoryFilterForm,
    MerchantRegisterForm,
    form_add_service_error,
)
from marketplace.directory.hours import is_open_at, opening_ranges_on
from marketplace.directory.models import Category, Merchant, OpeningHours, SpecialHours
from marketplace.directory.selectors import (
    DirectoryFilters,
    categories_for_filters,
    merchant_visible_detail,
    merchants_directory,
    merchants_on_map,
)
from marketplace.directory.services.merchants import merchant_register

# The directory's tabs, one per kind of entry (the same tree holds shops and the rest).
KIND_TABS = (
    (Category.Kind.SHOP, _("Shops")),
    (Category.Kind.ASSOCIATION, _("Associations")),
    (Category.Kind.PUBLIC_SERVICE, _("Public services")),
    (Category.Kind.TOURISM, _("Tourism and leisure")),
)
DIRECTORY_PAGE_SIZE = 24
WIDGET_PAGE_SIZE = 24
MERCHANT_PAGE_PRODUCTS = 12


def _mark_open(merchants: list[Merchant], now: datetime) -> list[Merchant]:
    """Give each merchant what a card shows: open now, and today's ranges."""
    for merchant in merchants:
        merchant.open_now = is_open_at(merchant, now)  # type: ignore[attr-defined]
        merchant.today_ranges = opening_ranges_on(merchant, now.date())  # type: ignore[attr-defined]
    return merchants


@require_GET
@shop_window_page
def directory(request: HttpRequest) -> HttpResponse:
    now = town_now()
    categories = categories_for_filters()
    form = DirectoryFilterForm(request.GET or None, categories=categories)
    filters = form.filters()
    page = Paginator(
        merchants_directory(filters=filters, local_now=now), DIRECTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    _mark_open(list(page.object_list), now)
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "directory/directory.html",
        {
            "form": form,
            "filters": filters,
            "filtered": filters != DirectoryFilters(),
            "page": page,
            "merchants": page.object_list,
            "query": query.urlencode(),
            "kinds": KIND_TABS,
        },
    )


@dataclass(frozen=True)
class WeekRow:
    weekday: int
    label: str
    ranges: list[tuple[time, time]]
    is_today: bool


@dataclass(frozen=True)
class ExceptionalPeriod:
    """Consecutive exceptional days that read as one line ("closed from 1 to 15 August")."""

    first: date
    last: date
    is_closed: bool
    ranges: list[tuple[time, time]]
    reason: str


def _week_rows(merchant: Merchant, today: date) -> list[WeekRow]:
    labels = dict(OpeningHours.Weekday.choices)
    rows: dict[int, list[tuple[time, time]]] = {weekday: [] for weekday in labels}
    for hours in merchant.opening_hours.all():
        rows[hours.weekday].append(
            (hours.opens_at, time.max if hours.closes_at == time(0) else hours.closes_at)
        )
    return [
        WeekRow(weekday, str(labels[weekday]), sorted(ranges), weekday == today.weekday())
        for weekday, ranges in rows.items()
    ]


def _exceptional_periods(specials: list[SpecialHours]) -> list[ExceptionalPeriod]:
    by_day: dict[date, list[SpecialHours]] = {}
    for special in specials:
        by_day.setdefault(special.date, []).append(special)
    periods: list[ExceptionalPeriod] = []
    for day in sorted(by_day):
        rows = by_day[day]
        is_closed = any(row.is_closed for row in rows)
        ranges = (
            []
            if is_closed
            else sorted(
                (row.opens_at, time.max if row.closes_at == time(0) else row.closes_at)
                for row in rows
                if row.opens_at is not None and row.closes_at is not None
            )
        )
        reason = next((row.reason for row in rows if row.reason), "")
        previous = periods[-1] if periods else None
        if (
            previous is not None
            and is_closed
            and previous.is_closed
            and previous.reason == reason
            and previous.last + timedelta(days=1) == day
        ):
            periods[-1] = ExceptionalPeriod(previous.first, day, True, [], reason)
        else:
            periods.append(ExceptionalPeriod(day, day, is_closed, ranges, reason))
    return periods


def _merchant_products(merchant: Merchant) -> list[Product]:
    """The first published products, with their variants and photos: three queries in all."""
    products = list(
        merchant.products.filter(is_published=True)
        .prefetch_related(
            "variants",
            Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "pk")),
        )
        .order_by("-created_at", "-pk")[:MERCHANT_PAGE_PRODUCTS]
    )
    for product in products:
        prices = [variant.price_cents for variant in product.variants.all()]
        product.price_from_cents = min(prices) if prices else None  # type: ignore[attr-defined]
        product.has_several_prices = len(set(prices)) > 1  # type: ignore[attr-defined]
        photos = list(product.photos.all())
        product.first_photo = photos[0] if photos else None  # type: ignore[attr-defined]
    return products


@require_GET
def merchant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    now = town_now()
    today = now.date()
    merchant = merchant_visible_detail(slug=slug, today=today)
    if merchant is None:
        raise Http404
    merchant_visit_record(merchant_id=merchant.pk, day=today)
    special_today = [s for s in merchant.special_hours.all() if s.date == today]
    return render(
        request,
        "directory/merchant_detail.html",
        {
            "merchant": merchant,
            "open_now": is_open_at(merchant, now),
            "today_ranges": opening_ranges_on(merchant, today),
            "special_today": special_today,
            "week": _week_rows(merchant, today),
            "periods": _exceptional_periods(list(merchant.special_hours.all())),
            "photos": list(merchant.photos.all()),
            "products": _merchant_products(merchant),
            "page_url": request.tenant.build_url(merchant.get_absolute_url()),
            "tile_url": settings.LEAFLET_TILE_URL,
            "tile_attribution": settings.LEAFLET_TILE_ATTRIBUTION,
        },
    )


@require_GET
def merchants_map(request: HttpRequest) -> HttpResponse:
    now = town_now()
    merchants = _mark_open(list(merchants_on_map(today=now.date())), now)
    return render(
        request,
        "directory/map.html",
        {
            "merchants": merchants,
            "tile_url": settings.LEAFLET_TILE_URL,
            "tile_attribution": settings.LEAFLET_TILE_ATTRIBUTION,
        },
    )


@require_GET
def merchants_map_json(request: HttpRequest) -> JsonResponse:
    """Every visible merchant with coordinates, for the map's markers."""
    now = town_now()
    merchants = merchants_on_map(today=now.date())
    return JsonResponse(
        {
            "merchants": [
                {
                    "slug": merchant.slug,
                    "name": merchant.name,
                    "url": merchant.get_absolute_url(),
                    "category": merchant.category.name,
                    "address": " ".join(
                        part
                        for part in (merchant.address, merchant.postcode, merchant.city)
                        if part
                    ),
                    "latitude": float(merchant.latitude),  # type: ignore[arg-type]
                    "longitude": float(merchant.longitude),  # type: ignore[arg-type]
                    "open_now": is_open_at(merchant, now),
                }
                for merchant in merchants
            ]
        }
    )


@require_GET
@xframe_options_exempt
def widget(request: HttpRequest) -> HttpResponse:
    """The town's shops, compact, for an iframe on another site (the town's, an association's).

    Framing is allowed on this page only; links open the portal in a new tab.
    """
    now = town_now()
    categories = categories_for_filters()
    slug = request.GET.get("categorie", "")
    category = next((c for c in categories if c.slug == slug), None)
    page = Paginator(
        merchants_directory(filters=DirectoryFilters(category=category), local_now=now),
        WIDGET_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    _mark_open(list(page.object_list), now)
    town = request.tenant
    return render(
        request,
        "directory/widget.html",
        {
            "page": page,
            "merchants": [
                (merchant, town.build_url(merchant.get_absolute_url()))
                for merchant in page.object_list
            ],
            "category": category,
            "portal_url": town.build_url(reverse("directory:directory")),
        },
    )


@require_GET
@cache_control(public=True, max_age=3600)
def widget_script(request: HttpRequest) -> HttpResponse:
    """One script tag on another site puts the widget's iframe where the tag is.

    The frame is served from the host the script came from: routing only answers the town's
    own domains, so that host is one of this town's.
    """
    return render(
        request,
        "directory/widget.js",
        {"widget_url": request.build_absolute_uri(reverse("directory:widget"))},
        content_type="text/javascript; charset=utf-8",
    )


@require_GET
def embed_help(request: HttpRequest) -> HttpResponse:
    """Copy-paste snippets to show the town's shops on another website."""
    return render(
        request,
        "directory/embed.html",
        {
            "script_url": request.build_absolute_uri(reverse("directory:widget_script")),
            "widget_url": request.build_absolute_uri(reverse("directory:widget")),
            "api_url": request.build_absolute_uri("/api/v1/public/merchants/"),
            "schema_url": request.build_absolute_uri("/api/v1/schema/"),
            "categories": categories_for_filters(),
        },
    )


def merchant_apply(request: HttpRequest) -> HttpResponse:
    """A person applies to list their shop: the town approves it before it is shown."""
    form = MerchantRegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            merchant = merchant_register(
                trade_name=data["trade_name"],
                category=data["category"],
                address=data["address"],
                postcode=data["postcode"],
                city=data["city"],
                email=data["email"],
                password=data.get("password"),
                user=request.user if request.user.is_authenticated else None,
                full_name=data.get("full_name", ""),
                phone=data["phone"],
                siret=data["siret"],
            )
        except DirectoryError as error:
            form_add_service_error(form, error)
        else:
            if not request.user.is_authenticated:
                owner = merchant.members.select_related("user").get().user
                login(request, owner, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("directory:apply_done")
    return render(request, "directory/apply.html", {"form": form})


@require_GET
def merchant_apply_done(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/apply_done.html")
