from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """Filling a town and its shops: the business-registry import (and, to come, invitations,
    the merchants' guided set-up and the stock sync)."""

    name = "onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"
