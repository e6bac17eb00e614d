"""Billing's URLs on the root host; included by surfaces/urls_public.py at "billing/"."""

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
]
