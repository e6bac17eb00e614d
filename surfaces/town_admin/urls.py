"""The town administration; included by surfaces/urls_town.py at "gestion/"."""

from django.urls import path

from surfaces.town_admin.views import (
    branding,
    campaigns,
    commission,
    dashboard,
    merchants,
    refunds,
    registry,
    subscription,
)

app_name = "town_admin"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("identite-visuelle/", branding.branding, name="branding"),
    path("identite-visuelle/apercu/", branding.branding_preview, name="branding_preview"),
    path("acces-vendeur/<str:token>/", dashboard.vendor_access, name="vendor_access"),
    path("commercants/", merchants.merchants_pending, name="merchants"),
    path("commission/", commission.commission, name="commission"),
    path("remboursements/", refunds.refunds, name="refunds"),
    path("remboursements/<int:refund_id>/relancer/", refunds.refund_retry, name="refund_retry"),
    path(
        "remboursements/commandes/<str:reference>/",
        refunds.order_refund_view,
        name="order_refund",
    ),
    path("abonnement/", subscription.subscription, name="subscription"),
    path(
        "commercants/<int:merchant_id>/approuver/",
        merchants.merchant_approve_view,
        name="merchant_approve",
    ),
    path(
        "commercants/<int:merchant_id>/refuser/",
        merchants.merchant_reject_view,
        name="merchant_reject",
    ),
    path("campagnes/", campaigns.campaigns, name="campaigns"),
    path("campagnes/nouvelle/", campaigns.campaign_create_view, name="campaign_create"),
    path("campagnes/<int:campaign_id>/", campaigns.campaign_edit_view, name="campaign_edit"),
    path(
        "campagnes/<int:campaign_id>/publier/",
        campaigns.campaign_publish_view,
        name="campaign_publish",
    ),
    path(
        "campagnes/<int:campaign_id>/retirer/",
        campaigns.campaign_unpublish_view,
        name="campaign_unpublish",
    ),
    path(
        "campagnes/<int:campaign_id>/supprimer/",
        campaigns.campaign_delete_view,
        name="campaign_delete",
    ),
    path("registre/", registry.registry_import, name="registry_import"),
    path("registre/<int:run_id>/", registry.registry_run, name="registry_run"),
    path(
        "registre/<int:run_id>/progression/",
        registry.registry_progress,
        name="registry_progress",
    ),
    path("registre/<int:run_id>/importer/", registry.registry_confirm, name="registry_confirm"),
    path("registre/<int:run_id>/reprendre/", registry.registry_resume, name="registry_resume"),
]
