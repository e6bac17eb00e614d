from django.apps import AppConfig


class TownAdminConfig(AppConfig):
    """The town administration (/gestion/): views, forms and templates, no models; installed so
    its templates load."""

    name = "surfaces.town_admin"
    label = "town_admin"
    verbose_name = "Town administration"
