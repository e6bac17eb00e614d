from django.contrib.auth import views as auth_views
from django.urls import path

from comptoir.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.TownLoginView.as_view(), name="login"),
    path("deconnexion/", views.TownLogoutView.as_view(), name="logout"),
    path(
        "activer/<uidb64>/<token>/",
        views.AccountActivateView.as_view(),
        name="activate",
    ),
    path(
        "mot-de-passe/oublie/",
        views.TownPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
]
