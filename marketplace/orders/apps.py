from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "marketplace.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from marketplace.orders.models import Order
        from marketplace.orders.receivers import cart_merge_at_login
        from tenants.hooks import town_figure_register

        user_logged_in.connect(cart_merge_at_login, dispatch_uid="orders_cart_merge_at_login")
        town_figure_register("orders", Order.objects.count)
