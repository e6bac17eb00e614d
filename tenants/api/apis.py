"""The vendor API on the root host: list, provision, inspect, suspend and reactivate towns."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.api.permissions import IsVendorStaff, VendorAPIRequest
from tenants.errors import TownInputInvalid, TownStateInvalid
from tenants.models import Town
from tenants.selectors import towns_with_domains
from tenants.services.lifecycle import town_status_set
from tenants.services.provisioning import town_provision
from tenants.services.stats import town_stats_start


class TownOutputSerializer(serializers.Serializer):
    """A town as the vendor API shows it (from `towns_with_domains`)."""

    class FiguresSerializer(serializers.Serializer):
        merchants = serializers.IntegerField(source="merchants_count", allow_null=True)
        products = serializers.IntegerField(source="products_count", allow_null=True)
        orders = serializers.IntegerField(source="orders_count", allow_null=True)
        refreshed_at = serializers.DateTimeField(source="stats_refreshed_at", allow_null=True)

        class Meta:
            ref_name = "VendorTownFigures"

    slug = serializers.CharField()
    name = serializers.CharField()
    insee_code = serializers.CharField()
    status = serializers.ChoiceField(choices=Town.Status.choices)
    plan = serializers.ChoiceField(choices=Town.Plan.choices)
    created_at = serializers.DateTimeField()
    url = serializers.URLField()
    domains = serializers.SerializerMethodField(help_text="Host names, the main one first.")
    figures = FiguresSerializer(source="*", help_text="Null figures: not counted yet.")

    class Meta:
        ref_name = "VendorTown"

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_domains(self, town: Town) -> list[str]:
        return [domain.domain for domain in town.domains.all()]


class TownConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "town_state_invalid"


class TownPagination(PageNumberPagination):
    page_size = 50


def _town_out(slug: str) -> dict:
    return TownOutputSerializer(get_object_or_404(towns_with_domains(), slug=slug)).data


class TownListCreateApi(APIView):
    permission_classes = [IsVendorStaff]
    pagination_class = TownPagination

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Town.Status.choices, required=False)

        class Meta:
            ref_name = "VendorTownFilter"

    class InputSerializer(serializers.Serializer):
        # Only the shape: town_provision validates the values and names the faulty fields.
        name = serializers.CharField()
        slug = serializers.CharField()
        insee_code = serializers.CharField(required=False, allow_blank=True, default="")
        admin_email = serializers.CharField()
        plan = serializers.ChoiceField(choices=Town.Plan.choices, default=Town.Plan.ESSENTIAL)

        class Meta:
            ref_name = "VendorTownProvision"

    @extend_schema(
        operation_id="vendor_towns_list",
        parameters=[
            OpenApiParameter("status", str, enum=Town.Status.values, description="Only this status")
        ],
        responses=TownOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        towns = towns_with_domains()
        if "status" in filters.validated_data:
            towns = towns.filter(status=filters.validated_data["status"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(towns, request, view=self)
        return paginator.get_paginated_response(TownOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="vendor_towns_provision",
        request=InputSerializer,
        responses={201: TownOutputSerializer},
    )
    def post(self, request: VendorAPIRequest) -> Response:
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            town = town_provision(**given.validated_data, actor_email=request.user.email)
        except TownInputInvalid as refused:
            raise ValidationError(refused.errors) from refused
        town_stats_start(town_id=town.pk)
        return Response(_town_out(town.slug), status=status.HTTP_201_CREATED)


class TownDetailApi(APIView):
    permission_classes = [IsVendorStaff]

    @extend_schema(operation_id="vendor_towns_retrieve", responses=TownOutputSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(_town_out(slug))


def _town_status_change(request: VendorAPIRequest, slug: str, status_to: str) -> Response:
    town = get_object_or_404(Town, slug=slug)
    try:
        town_status_set(town=town, status=status_to, actor_email=request.user.email)
    except TownStateInvalid as refused:
        raise TownConflict(str(refused)) from refused
    return Response(_town_out(slug))


class TownSuspendApi(APIView):
    permission_classes = [IsVendorStaff]

    @extend_schema(
        operation_id="vendor_towns_suspend",
        request=None,
        responses={200: TownOutputSerializer, 409: None},
        description="Suspend a town: its portal answers a notice to all but its administrators.",
    )
    def post(self, request: VendorAPIRequest, slug: str) -> Response:
        return _town_status_change(request, slug, Town.Status.SUSPENDED)


class TownReactivateApi(APIView):
    permission_classes = [IsVendorStaff]

    @extend_schema(
        operation_id="vendor_towns_reactivate",
        request=None,
        responses={200: TownOutputSerializer, 409: None},
        description="Make a suspended, archived or trial town active.",
    )
    def post(self, request: VendorAPIRequest, slug: str) -> Response:
        return _town_status_change(request, slug, Town.Status.ACTIVE)
