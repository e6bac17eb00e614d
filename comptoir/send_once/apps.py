from django.apps import AppConfig


class SendOnceConfig(AppConfig):
    name = "comptoir.send_once"
    label = "send_once"
    verbose_name = "Sent once"
