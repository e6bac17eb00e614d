from django.apps import AppConfig


class ComptoirConfig(AppConfig):
    name = "comptoir"
    label = "comptoir"
    verbose_name = "Comptoir"

    def ready(self) -> None:
        from comptoir.metrics import celery_signals_connect

        celery_signals_connect()
