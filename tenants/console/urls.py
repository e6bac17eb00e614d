from django.urls import path

from tenants.console import views

app_name = "console"

urlpatterns = [
    path("", views.town_list, name="town_list"),
]
