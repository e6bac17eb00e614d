from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "marketplace.appointments"
    label = "appointments"
    verbose_name = "Appointments"
