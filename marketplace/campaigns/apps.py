from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "marketplace.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from comptoir.page_cache import shop_window_shows
        from marketplace.campaigns.models import Campaign

        shop_window_shows(Campaign)
