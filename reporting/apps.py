from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    label = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from comptoir.page_seen import page_seen_counter_register
        from reporting.services import page_view_record

        # The one counter of every public page, cached or rendered.
        page_seen_counter_register(page_view_record)
