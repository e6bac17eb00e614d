"""The public, read-only directory API of a town: its merchants, for other websites to show."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from comptoir.http import TownAPIRequest
from comptoir.town import town_now
from marketplace.directory.hours import is_open_at
from marketplace.directory.models import Category, Merchant
from marketplace.directory.selectors import (
    DirectoryFilters,
    merchant_hours_prefetch,
    merchants_directory,
    merchants_visible,
)


class PublicMerchantSerializer(serializers.Serializer):
    """A merchant as the public API shows it; `url` is its page on the town's portal."""

    class CategorySerializer(serializers.Serializer):
        slug = serializers.SlugField()
        name = serializers.CharField()
        kind = serializers.ChoiceField(choices=Category.Kind.choices)

        class Meta:
            ref_name = "PublicMerchantCategory"

    slug = serializers.SlugField()
    title = serializers.CharField(source="name", help_text="The trade name.")
    category = CategorySerializer()
    address = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="The merchant's page on the portal.")
    open_now = serializers.SerializerMethodField(
        help_text="Open at the time of the request, on the town's clock."
    )
    sells_online = serializers.BooleanField()

    class Meta:
        ref_name = "PublicMerchant"

    @extend_schema_field(serializers.URLField())
    def get_url(self, merchant: Merchant) -> str:
        return self.context["town"].build_url(merchant.get_absolute_url())

    @extend_schema_field(serializers.BooleanField())
    def get_open_now(self, merchant: Merchant) -> bool:
        return is_open_at(merchant, self.context["now"])


class PublicMerchantPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class _PublicApi(APIView):
    # No authentication at all: anonymous, throttled per address, never a session or token.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]


class PublicMerchantListApi(_PublicApi):
    pagination_class = PublicMerchantPagination

    class FilterSerializer(serializers.Serializer):
        category = serializers.SlugField(required=False)
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)

        class Meta:
            ref_name = "PublicMerchantFilter"

    @extend_schema(
        summary="The town's merchants",
        parameters=[
            OpenApiParameter(
                "category", str, description="A category slug; its sub-categories are included."
            ),
            OpenApiParameter("q", str, description="Part of the name, accents ignored."),
        ],
        responses=PublicMerchantSerializer(many=True),
    )
    def get(self, request: TownAPIRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        slug = filters.validated_data.get("category")
        category = Category.objects.filter(slug=slug).first() if slug else None
        now = town_now()
        if slug and category is None:
            merchants = Merchant.objects.none()
        else:
            merchants = merchants_directory(
                filters=DirectoryFilters(
                    category=category, text=filters.validated_data.get("q", "")
                ),
                local_now=now,
            )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(merchants, request, view=self)
        context = {"town": request.tenant, "now": now}
        data = PublicMerchantSerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)


class PublicMerchantDetailApi(_PublicApi):
    @extend_schema(summary="One merchant of the town", responses=PublicMerchantSerializer)
    def get(self, request: TownAPIRequest, slug: str) -> Response:
        now = town_now()
        today = now.date()
        merchant = (
            merchants_visible()
            .select_related("category")
            .prefetch_related(*merchant_hours_prefetch(since=today, until=today))
            .filter(slug=slug)
            .first()
        )
        if merchant is None:
            raise Http404
        context = {"town": request.tenant, "now": now}
        return Response(PublicMerchantSerializer(merchant, context=context).data)
