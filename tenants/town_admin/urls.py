from django.urls import path

from marketplace.campaigns import town_admin_views as campaign_views
from marketplace.directory import town_admin_views
from tenants.town_admin import views

app_name = "town_admin"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("identite-visuelle/", views.branding, name="branding"),
    path("identite-visuelle/apercu/", views.branding_preview, name="branding_preview"),
    path("acces-vendeur/<str:token>/", views.vendor_access, name="vendor_access"),
    path("commercants/", town_admin_views.merchants_pending, name="merchants"),
    path(
        "commercants/<int:merchant_id>/approuver/",
        town_admin_views.merchant_approve_view,
        name="merchant_approve",
    ),
    path(
        "commercants/<int:merchant_id>/refuser/",
        town_admin_views.merchant_reject_view,
        name="merchant_reject",
    ),
    path("campagnes/", campaign_views.campaigns, name="campaigns"),
    path("campagnes/nouvelle/", campaign_views.campaign_create_view, name="campaign_create"),
    path("campagnes/<int:campaign_id>/", campaign_views.campaign_edit_view, name="campaign_edit"),
    path(
        "campagnes/<int:campaign_id>/publier/",
        campaign_views.campaign_publish_view,
        name="campaign_publish",
    ),
    path(
        "campagnes/<int:campaign_id>/retirer/",
        campaign_views.campaign_unpublish_view,
        name="campaign_unpublish",
    ),
    path(
        "campagnes/<int:campaign_id>/supprimer/",
        campaign_views.campaign_delete_view,
        name="campaign_delete",
    ),
]
