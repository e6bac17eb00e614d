from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "marketplace.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
