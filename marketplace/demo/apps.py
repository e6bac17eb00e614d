from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo towns `make dev` serves (`manage.py seed_demo`); it seeds every app, so it sits
    above them all."""

    name = "marketplace.demo"
    label = "demo"
    verbose_name = "Demo"
