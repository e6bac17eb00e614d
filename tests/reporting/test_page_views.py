"""Every public page view counted once, cached pages included, robots not, through Redis and
its flush or straight into the database; nothing about the visitor kept."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection as db_connection
from django.db.models import Sum

from comptoir.page_seen import PageSeen
from reporting import services
from reporting.models import (
    PageKind,
    PageViewsDaily,
    PageViewsHourly,
    Source,
    VisitorsDaily,
    VisitorSeen,
    VisitSalt,
    VisitsByOrigin,
    VisitsBySource,
)
from tests.conftest import inside
from tests.marketplace.directory.conftest import WEEKDAYS_9_TO_19, merchant_create
from tests.reporting.builders import BROWSER
from tests.reporting.conftest import CHAMBERY_ADDRESS, views_counted

ADDRESS = "198.51.100.23"


def test_each_request_is_one_view_and_one_visitor_makes_one_visit(client_a, town_a, counting):
    merchant = merchant_create(town_a, name="Compté", week=WEEKDAYS_9_TO_19)

    for _ in range(3):
        assert (
            client_a.get(f"/commerces/{merchant.slug}/", HTTP_USER_AGENT=BROWSER).status_code == 200
        )

    assert views_counted(town_a, kind=PageKind.MERCHANT, merchant_id=merchant.pk) == 3
    with inside(town_a):
        row = PageViewsDaily.objects.get()
        assert (row.views, row.visits, row.category_id) == (3, 1, merchant.category_id)
        assert PageViewsHourly.objects.get().views == 3
        assert list(VisitorsDaily.objects.values_list("visitors", flat=True)) == [1]
        assert list(VisitsBySource.objects.values_list("source", "visits")) == [(Source.DIRECT, 1)]


def test_two_visitors_are_two_visitors(client_a, town_a, counting):
    client_a.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.1")
    client_a.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.2")

    assert views_counted(town_a, kind=PageKind.HOME) == 2
    with inside(town_a):
        assert VisitorsDaily.objects.get().visitors == 2


def test_a_page_served_from_the_cache_is_still_counted(client_a, town_a, counting, monkeypatch):
    from marketplace.storefront import views as storefront_views

    rendered = []
    content = storefront_views.home_page_content
    monkeypatch.setattr(
        storefront_views, "home_page_content", lambda **kw: rendered.append(1) or content(**kw)
    )

    for _ in range(3):
        assert client_a.get("/", HTTP_USER_AGENT=BROWSER).status_code == 200

    assert rendered == [1]  # rendered once, then served from the cache twice
    assert views_counted(town_a, kind=PageKind.HOME) == 3


def test_the_directory_filtered_by_a_category_counts_as_that_category(client_a, town_a, counting):
    merchant = merchant_create(town_a, name="Compté", week=WEEKDAYS_9_TO_19)
    with inside(town_a):
        slug = merchant.category.slug

    client_a.get("/commerces/", HTTP_USER_AGENT=BROWSER)
    client_a.get(f"/commerces/?categorie={slug}", HTTP_USER_AGENT=BROWSER)

    assert views_counted(town_a, kind=PageKind.DIRECTORY) == 1
    assert views_counted(town_a, kind=PageKind.CATEGORY, category_id=merchant.category_id) == 1


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
    ],
)
def test_robots_are_not_counted(client_a, town_a, counting, user_agent):
    merchant = merchant_create(town_a, name="Compté", week=WEEKDAYS_9_TO_19)

    response = client_a.get(f"/commerces/{merchant.slug}/", HTTP_USER_AGENT=user_agent)
    client_a.get("/", HTTP_USER_AGENT=user_agent)

    assert response.status_code == 200
    assert views_counted(town_a) == 0
    client_a.get("/", HTTP_USER_AGENT=BROWSER)
    assert views_counted(town_a) == 1


def test_prefetches_errors_and_pages_of_no_kind_are_not_counted(client_a, town_a, counting):
    client_a.get("/", HTTP_USER_AGENT=BROWSER, HTTP_SEC_PURPOSE="prefetch")
    client_a.get("/commerces/nulle-part/", HTTP_USER_AGENT=BROWSER)  # 404
    client_a.get("/panier/", HTTP_USER_AGENT=BROWSER)  # not a page counted

    assert views_counted(town_a) == 0


def test_without_a_reachable_redis_views_go_to_the_database(client_a, town_a, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    client_a.get("/", HTTP_USER_AGENT=BROWSER)

    with inside(town_a):
        assert PageViewsDaily.objects.get(kind=PageKind.HOME).views == 1


def test_referrers_and_utm_links_are_grouped(client_a, town_a, counting):
    host = town_a.primary_domain_name
    arrivals = [
        {"HTTP_REFERER": "https://www.google.fr/"},
        {"HTTP_REFERER": "https://duckduckgo.com/"},
        {"HTTP_REFERER": "https://l.facebook.com/l.php?u=x"},
        {"HTTP_REFERER": f"http://{host}/commerces/"},
        {"QUERY_STRING": "utm_source=affiche&utm_medium=qr"},
        {"QUERY_STRING": "utm_medium=email&utm_campaign=noel"},
        {"QUERY_STRING": "utm_campaign=noel&utm_source=mairie"},
        {"HTTP_REFERER": "https://www.office-tourisme.example/"},
        {},
    ]
    for number, headers in enumerate(arrivals):
        # A visitor each, so each arrival starts a visit.
        client_a.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"198.51.100.{number}", **headers)

    views_counted(town_a)
    with inside(town_a):
        sources = dict(VisitsBySource.objects.values_list("source", "visits"))
    assert sources == {
        Source.SEARCH_ENGINE: 2,
        Source.SOCIAL: 1,
        Source.DIRECT: 2,
        Source.QR_POSTER: 1,
        Source.NEWSLETTER: 1,
        Source.CAMPAIGN: 1,
        Source.WEBSITE: 1,
    }


def test_visitors_towns_come_from_the_offline_geoip_file(client_a, town_a, counting, geoip_file):
    client_a.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=CHAMBERY_ADDRESS)
    client_a.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="81.2.69.160")
    client_a.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.0.0.1")

    views_counted(town_a)
    with inside(town_a):
        origins = set(
            VisitsByOrigin.objects.values_list("country", "department", "commune", "visits")
        )
    assert origins == {("FR", "73", "Chambéry", 1), ("GB", "", "London", 1), ("", "", "", 1)}


def _every_reporting_row() -> str:
    """Every row of every reporting table, as text."""
    tables = [
        model._meta.db_table
        for model in (
            PageViewsDaily, PageViewsHourly, VisitsBySource, VisitsByOrigin, VisitorsDaily,
            VisitorSeen, VisitSalt,
        )
    ]  # fmt: skip
    found: list[str] = []
    with db_connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            found.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(found)


def _redis_values(town) -> str:
    """Every key of the town's counter in Redis and, for its hashes, their fields and values."""
    counter = services._counter()
    if counter is None:
        return ""
    found: list[str] = []
    for key in counter.client.scan_iter(match=f"visits:*:{town.schema_name}:*"):
        found.append(repr(key))
        if counter.client.type(key) == b"hash":
            found.append(repr(counter.client.hgetall(key)))
    return "\n".join(found)


def test_the_visitors_digest_changes_every_day_and_no_address_is_kept(
    client_a, town_a, counting, monkeypatch, geoip_file
):
    paris = ZoneInfo("Europe/Paris")
    days = [datetime(2026, 3, 9, 21, 0, tzinfo=paris), datetime(2026, 3, 10, 21, 0, tzinfo=paris)]
    clock = [days[0]]
    monkeypatch.setattr(services, "town_now", lambda: clock[0])
    digests = []
    for day in days:
        clock[0] = day
        client_a.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=CHAMBERY_ADDRESS)
        client_a.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=CHAMBERY_ADDRESS)
        with inside(town_a):
            digests.append(
                services.visitor_digest(
                    salt=VisitSalt.objects.get(day=day.date()).salt,
                    schema_name=town_a.schema_name,
                    address=CHAMBERY_ADDRESS,
                    user_agent=BROWSER,
                )
            )
        redis_kept = _redis_values(town_a)
        assert CHAMBERY_ADDRESS not in redis_kept
        assert "Pixel 8" not in redis_kept

    assert digests[0] != digests[1]
    with inside(town_a):
        # Before the flush forgets the day over: nothing but digests names the visitor.
        kept = _every_reporting_row()
        assert CHAMBERY_ADDRESS not in kept and "90.12" not in kept
        assert "Pixel 8" not in kept and "Android" not in kept
        if counting == "database":
            assert set(VisitorSeen.objects.values_list("digest", flat=True)) == set(digests)

    views_counted(town_a)  # the flush, on the second day

    with inside(town_a):
        assert dict(VisitorsDaily.objects.values_list("day", "visitors")) == {
            days[0].date(): 1,
            days[1].date(): 1,
        }
        # The first day's salt and digests are gone: its visitors can no longer be told.
        assert list(VisitSalt.objects.values_list("day", flat=True)) == [days[1].date()]
        assert set(VisitorSeen.objects.values_list("day", flat=True)) <= {days[1].date()}
        assert PageViewsDaily.objects.aggregate(Sum("views"))["views__sum"] == 4
        assert PageViewsDaily.objects.aggregate(Sum("visits"))["visits__sum"] == 2


def test_a_visitor_back_after_half_an_hour_starts_a_new_visit(
    client_a, town_a, counting, monkeypatch
):
    start = datetime(2026, 3, 9, 20, 0, tzinfo=ZoneInfo("Europe/Paris"))
    clock = [start]
    monkeypatch.setattr(services, "town_now", lambda: clock[0])
    for minutes in (0, 10, 39, 75):
        clock[0] = start + timedelta(minutes=minutes)
        client_a.get("/", HTTP_USER_AGENT=BROWSER)

    assert views_counted(town_a) == 4
    with inside(town_a):
        # 20:00 and 20:10 one visit; 20:39 is 29 minutes after 20:10, the same; 21:15 a new one.
        assert dict(PageViewsHourly.objects.values_list("hour", "visits")) == {20: 1, 21: 1}
        assert VisitorsDaily.objects.get().visitors == 1


def test_a_campaign_page_counts_with_its_campaign(town_a, counting):
    seen = PageSeen(kind="campaign", campaign_id=7)
    at = datetime(2026, 12, 1, 20, 30, tzinfo=ZoneInfo("Europe/Paris"))
    with inside(town_a):
        services.view_count(
            view=services.View(
                at=at, seen=seen, source=Source.NEWSLETTER, origin=services.Origin(), digest="d1"
            ),
            schema_name=town_a.schema_name,
        )

    assert views_counted(town_a, kind=PageKind.CAMPAIGN, campaign_id=7) == 1
