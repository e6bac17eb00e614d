from django.urls import path

from tenants.console import views

app_name = "console"

urlpatterns = [
    path("", views.town_list, name="town_list"),
    path("connexion/", views.sign_in, name="login"),
    path("deconnexion/", views.sign_out, name="logout"),
    path("double-authentification/", views.two_factor, name="two_factor"),
    path("nouvelle-ville/", views.town_provision_form, name="town_provision"),
    path("villes/<slug:slug>/", views.town_detail, name="town_detail"),
    path("villes/<slug:slug>/statut/", views.town_status, name="town_status"),
    path("villes/<slug:slug>/ouvrir-gestion/", views.town_admin_open, name="town_admin_open"),
    path("villes/<slug:slug>/supprimer/", views.town_delete_confirm, name="town_delete"),
    path("villes/<slug:slug>/sauvegarder/", views.town_backup_start, name="town_backup"),
    path("villes/<slug:slug>/exporter/", views.town_export_start, name="town_export"),
    path("sauvegardes/", views.backup_list, name="backups"),
    path("sauvegardes/<int:event_id>/telecharger/", views.backup_download, name="backup_download"),
]
