from tests.marketplace.orders.conftest import _english, client_a, client_b

__all__ = ["_english", "client_a", "client_b"]
