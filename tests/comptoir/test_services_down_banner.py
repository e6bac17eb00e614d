"""While this process finds Redis (the cache or the broker) out of reach, the people who run
towns and shops see a banner saying so on their pages; shoppers do not, and it goes when Redis
answers again. The banner reads the same Outage objects the cache and Celery report to."""

from comptoir.outage import outage_for
from tests.conftest import signed_in

BANNER = "Our cache and task service is out of reach"


def test_staff_see_a_banner_while_a_service_is_out_of_reach(english, client_a, town_a, admin_a):
    outage = outage_for("Redis (banner test)", "redis://127.0.0.1:9/0", meanwhile="nothing")
    signed_in(client_a, town_a, admin_a.email)
    assert BANNER not in client_a.get("/gestion/").content.decode()

    outage.failed(ConnectionRefusedError("refused"))
    try:
        assert BANNER in client_a.get("/gestion/").content.decode()
        assert BANNER not in client_a.get("/commerces/").content.decode()  # a shopper's page
    finally:
        outage.answered()

    assert BANNER not in client_a.get("/gestion/").content.decode()
