from django.urls import path

from tenants.town_admin import views

app_name = "town_admin"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
