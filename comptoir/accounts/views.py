from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse_lazy


class TownLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class AccountActivateView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation: choose a password, then you are signed in.

    Django's reset token is bound to the password hash and last login, so the link works once.
    """

    template_name = "accounts/activate.html"
    form_class = SetPasswordForm
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("town_admin:dashboard")
