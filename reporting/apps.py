from datetime import date

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    label = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from marketplace.directory.signals import merchant_page_viewed
        from reporting.services import merchant_visit_record

        def page_viewed(sender: object, merchant_id: int, day: date, **kwargs: object) -> None:
            merchant_visit_record(merchant_id=merchant_id, day=day)

        merchant_page_viewed.connect(page_viewed, weak=False, dispatch_uid="reporting-visits")
