from django.apps import AppConfig

# What a town that leaves gets of its orders (tenants' export).
ORDER_EXPORT_COLUMNS = (
    "id", "reference", "checkout__reference", "merchant__slug", "created_at", "status",
    "fulfilment", "pickup_at", "payment_method", "payment_status", "subtotal_cents",
    "delivery_fee_cents", "total_cents", "checkout__contact_name", "checkout__contact_email",
    "checkout__contact_phone", "delivery_address", "delivery_postcode", "delivery_city",
)  # fmt: skip
ORDER_LINE_EXPORT_COLUMNS = (
    "order__reference", "product_title", "variant_name", "sku", "unit_price_cents", "vat_rate",
    "quantity",
)  # fmt: skip


class OrdersConfig(AppConfig):
    name = "marketplace.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from marketplace.orders.models import Order, OrderLine
        from marketplace.orders.receivers import cart_merge_at_login
        from tenants.hooks import town_export_register, town_figure_register

        user_logged_in.connect(cart_merge_at_login, dispatch_uid="orders_cart_merge_at_login")
        town_figure_register("orders", Order.objects.count)
        town_export_register(
            "orders",
            ORDER_EXPORT_COLUMNS,
            lambda: Order.objects.order_by("pk").values(*ORDER_EXPORT_COLUMNS),
        )
        town_export_register(
            "order_lines",
            ORDER_LINE_EXPORT_COLUMNS,
            lambda: OrderLine.objects.order_by("order_id", "pk").values(*ORDER_LINE_EXPORT_COLUMNS),
        )
