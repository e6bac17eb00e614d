"""The console's subscription pages; included by surfaces/urls_public.py at
"console/abonnements/"."""

from django.urls import path

from billing.console import views

app_name = "console_billing"

urlpatterns = [
    path("", views.subscription_list, name="subscriptions"),
    path("villes/<slug:slug>/", views.subscription_detail, name="subscription"),
]
