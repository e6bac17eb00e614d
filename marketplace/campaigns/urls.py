"""Campaigns' public pages (included at the root of a town's URLs)."""

from django.urls import path

from marketplace.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("campagnes/<slug:slug>/", views.campaign_detail, name="campaign"),
]
