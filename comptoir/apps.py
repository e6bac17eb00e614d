from django.apps import AppConfig


class ComptoirConfig(AppConfig):
    name = "comptoir"
    label = "comptoir"
    verbose_name = "Comptoir"
