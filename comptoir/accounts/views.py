from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.http import TownRequest


class TownLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class TownLogoutView(auth_views.LogoutView):
    """Signing out lands on the town's home page with a word saying it worked."""

    next_page = "/"

    def post(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You are signed out."))
        return response


class TownPasswordResetForm(PasswordResetForm):
    """The e-mailed link is built from the town's primary domain, never from the Host header,
    which a visitor controls."""

    def save(self, *args: Any, **options: Any) -> None:
        # PasswordResetView passes the request, always.
        request: TownRequest = options["request"]
        options["domain_override"] = request.tenant.primary_host
        super().save(*args, **options)


class TownPasswordResetView(auth_views.PasswordResetView):
    form_class = TownPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class AccountActivateView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation: choose a password, then you are signed in.

    Django's reset token is bound to the password hash and last login, so the link works once.
    """

    template_name = "accounts/activate.html"
    form_class: "type[SetPasswordForm[User]]" = SetPasswordForm
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("town_admin:dashboard")
