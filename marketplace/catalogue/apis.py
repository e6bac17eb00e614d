"""The public, read-only catalogue API of a town: its products, for other websites to show."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from comptoir.http import TownAPIRequest
from comptoir.templatetags.money import euros_format
from marketplace.catalogue.models import Product
from marketplace.catalogue.selectors import (
    Availability,
    product_for_page,
    products_search,
    variant_availability,
)
from marketplace.catalogue.views import absolute_media_url

AVAILABILITY_CHOICES = [
    Availability.IN_STOCK,
    Availability.LOW,
    Availability.OUT,
    Availability.SHOP_ONLY,
]


class PublicProductSerializer(serializers.Serializer):
    """A product as the public API shows it; `url` is its page on the town's portal."""

    class MerchantSerializer(serializers.Serializer):
        slug = serializers.SlugField()
        name = serializers.CharField()

        class Meta:
            ref_name = "PublicProductMerchant"

    slug = serializers.SlugField()
    title = serializers.CharField()
    price_cents = serializers.IntegerField(
        source="lowest_price_cents", help_text="The lowest price of its variants, in cents (TTC)."
    )
    price_display = serializers.SerializerMethodField(help_text='The price in French, "12,50 €".')
    merchant = MerchantSerializer()
    url = serializers.SerializerMethodField(help_text="The product's page on the portal.")
    image = serializers.SerializerMethodField(help_text="Its first photo (a thumbnail), or null.")
    availability = serializers.ChoiceField(choices=AVAILABILITY_CHOICES)

    class Meta:
        ref_name = "PublicProduct"

    @extend_schema_field(serializers.CharField())
    def get_price_display(self, product: Product) -> str:
        return euros_format(product.lowest_price_cents or 0)

    @extend_schema_field(serializers.URLField())
    def get_url(self, product: Product) -> str:
        return self.context["town"].build_url(product.get_absolute_url())

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image(self, product: Product) -> str | None:
        photo = product.main_photo
        if photo is None:
            return None
        return absolute_media_url(self.context["town"], (photo.thumbnail or photo.image).url)


class PublicVariantSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    size = serializers.CharField()
    colour = serializers.CharField()
    price_cents = serializers.IntegerField()
    price_display = serializers.SerializerMethodField()
    availability = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PublicProductVariant"

    @extend_schema_field(serializers.CharField())
    def get_price_display(self, variant) -> str:
        return euros_format(variant.price_cents)

    @extend_schema_field(serializers.ChoiceField(choices=AVAILABILITY_CHOICES))
    def get_availability(self, variant) -> str:
        return variant_availability(variant)


class PublicProductDetailSerializer(PublicProductSerializer):
    description = serializers.CharField()
    vat_rate = serializers.IntegerField(help_text="In basis points: 2000 is 20 %.")
    sold_in_shop_only = serializers.BooleanField()
    variants = PublicVariantSerializer(many=True, source="variants.all")
    images = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PublicProductDetail"

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_images(self, product: Product) -> list[str]:
        town = self.context["town"]
        return [absolute_media_url(town, photo.image.url) for photo in product.photos.all()]


class PublicProductPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicProductSerializer(many=True)

    class Meta:
        ref_name = "PublicProductPage"


class _PublicApi(APIView):
    # No authentication at all: anonymous, throttled per address, never a session or token.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]


class PublicProductListApi(_PublicApi):
    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)
        category = serializers.SlugField(required=False)
        merchant = serializers.SlugField(required=False)
        page = serializers.IntegerField(required=False, min_value=1, default=1)

        class Meta:
            ref_name = "PublicProductFilter"

    @extend_schema(
        operation_id="public_products_list",
        summary="The town's products, or those matching a search",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="Words to search for, in French: accents, plurals and small typos "
                "are forgiven. Without it, the newest products first.",
            ),
            OpenApiParameter(
                "category", str, description="A category slug; its sub-categories are included."
            ),
            OpenApiParameter("merchant", str, description="A merchant's slug."),
            OpenApiParameter("page", int, description="The page number, from 1."),
        ],
        responses=PublicProductPageSerializer,
    )
    def get(self, request: TownAPIRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        page_size = api_settings.PAGE_SIZE
        assert page_size is not None  # settings.REST_FRAMEWORK sets it
        results = products_search(
            q=data.get("q", ""),
            category=data.get("category"),
            merchant=data.get("merchant"),
            page=data["page"],
            per_page=page_size,
            with_facets=False,
            with_merchants=False,
        )
        if data["page"] > results.num_pages:
            raise NotFound("Invalid page.")
        url = request.build_absolute_uri()
        previous = None
        if results.has_previous:
            previous = (
                replace_query_param(url, "page", results.page - 1)
                if results.page > 2
                else remove_query_param(url, "page")
            )
        context = {"town": request.tenant}
        return Response(
            {
                "count": results.total,
                "next": replace_query_param(url, "page", results.page + 1)
                if results.has_next
                else None,
                "previous": previous,
                "results": PublicProductSerializer(
                    results.products, many=True, context=context
                ).data,
            }
        )


class PublicProductDetailApi(_PublicApi):
    @extend_schema(
        operation_id="public_product_retrieve",
        summary="One product of the town",
        responses=PublicProductDetailSerializer,
    )
    def get(self, request: TownAPIRequest, slug: str) -> Response:
        product = product_for_page(slug=slug)
        if product is None:
            raise Http404
        return Response(
            PublicProductDetailSerializer(product, context={"town": request.tenant}).data
        )
