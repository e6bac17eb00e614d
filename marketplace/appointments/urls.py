"""Booking pages; included by surfaces/urls_town.py at the root (full French paths here)."""

from django.urls import path

from marketplace.appointments import views

app_name = "appointments"

urlpatterns = [
    path("commerces/<slug:slug>/rendez-vous/", views.booking, name="booking"),
    path(
        "commerces/<slug:slug>/rendez-vous/<str:token>/",
        views.appointment_detail,
        name="detail",
    ),
    path(
        "commerces/<slug:slug>/rendez-vous/<str:token>/annuler/",
        views.appointment_cancel,
        name="cancel",
    ),
]
