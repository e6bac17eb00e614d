"""Counting what the towns' visitors look at: one counter for every public page.

A page seen (comptoir.page_seen) becomes a handful of increments, each a field of the town's
Redis hash (`visits:<prefix>:<schema>:pending`), all in one script call: one round trip, after
the response is sent. The same script tells a new visitor of the day and a new visit by the
visitor's digest of the day (kept in a Redis hash that expires when the day is over). A Celery
beat task (`reporting.tasks.visits_flush_all`, every VISITS_FLUSH_SECONDS) then moves each
town's counts into its aggregate tables:

1. the pending hash is renamed to the town's flush key and given a batch id, atomically (a
   view counted meanwhile starts a new pending hash);
2. one transaction records the batch id (`VisitFlush`, unique) and upserts the counts, unless
   the id was recorded already;
3. the flush key is deleted.

A flush that dies before 2 leaves the flush key, which the next flush writes first; one that
dies between 2 and 3 leaves a batch already recorded, which the next one only deletes: nothing
is counted twice, and losing Redis loses at most the counts of one flush interval.

Without Redis (REDIS_URL unset, or Redis not answering: comptoir.outage tells, and Redis is left
alone a moment after a failure) a view goes straight to the database in one statement: the
visitor's row of the day (`VisitorSeen`) and every aggregate upserted together
(INSERT … ON CONFLICT DO UPDATE, so concurrent views add up).
"""

import logging
import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

import redis
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from django_tenants.utils import schema_context
from redis.backoff import NoBackoff
from redis.retry import Retry

from comptoir.accounts.throttling import client_address
from comptoir.db import connection
from comptoir.outage import outage_for
from comptoir.page_seen import PageSeen
from comptoir.town import town_now
from reporting.models import (
    PageViewsDaily,
    PageViewsHourly,
    VisitFlush,
    VisitorsDaily,
    VisitorSeen,
    VisitSalt,
    VisitsByOrigin,
    VisitsBySource,
)
from reporting.visitors import Origin, is_robot, origin_of, visit_source, visitor_digest

logger = logging.getLogger(__name__)

# A visitor's view after this long without any starts a new visit (the web analytics' usual).
VISIT_GAP_SECONDS = 30 * 60
_BATCH_FIELD = "_batch"
_SEPARATOR = "|"


# --- What one view counts ------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One page view, as counted: nothing in it names the visitor but the digest of the day."""

    at: datetime  # on the town's clock
    seen: PageSeen
    source: str
    origin: Origin
    digest: str


def _clean(text: str) -> str:
    return text.replace(_SEPARATOR, " ")


def daily_field(day: date, seen: PageSeen, measure: str) -> str:
    """The hash field of a page's views ("v") or visits ("e") of a day."""
    ids = (seen.merchant_id, seen.product_id, seen.category_id, seen.campaign_id)
    return _SEPARATOR.join(
        ("d", day.isoformat(), seen.kind, *(str(value or 0) for value in ids), measure)
    )


def hourly_field(day: date, hour: int, kind: str, measure: str) -> str:
    return _SEPARATOR.join(("h", day.isoformat(), str(hour), kind, measure))


def source_field(day: date, source: str) -> str:
    return _SEPARATOR.join(("s", day.isoformat(), source))


def origin_field(day: date, origin: Origin) -> str:
    return _SEPARATOR.join(
        ("o", day.isoformat(), origin.country, origin.department, _clean(origin.commune))
    )


def visitors_field(day: date) -> str:
    return _SEPARATOR.join(("u", day.isoformat()))


def view_fields(view: View) -> tuple[list[str], list[str], str]:
    """A view's increments: those of every view, those of a view starting a visit, and the
    one of a new visitor of the day."""
    day, hour, kind = view.at.date(), view.at.hour, view.seen.kind
    every = [daily_field(day, view.seen, "v"), hourly_field(day, hour, kind, "v")]
    starting = [
        daily_field(day, view.seen, "e"),
        hourly_field(day, hour, kind, "e"),
        source_field(day, view.source),
        origin_field(day, view.origin),
    ]
    return every, starting, visitors_field(day)


# --- The counter registered with the platform ---------------------------------------------


def _prefetch(request: HttpRequest) -> bool:
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return "prefetch" in purpose or "prerender" in purpose


def page_view_record(request: HttpRequest, seen: PageSeen, schema_name: str) -> None:
    """Count a public page shown to a person: not a robot's, not a browser's prefetch, and
    only a GET's. The address and user agent are read here and kept nowhere."""
    if not settings.VISITS_COUNTING or request.method != "GET" or _prefetch(request):
        return
    user_agent = request.headers.get("User-Agent", "")
    if is_robot(user_agent):
        return
    address = client_address(request)
    with _in_schema(schema_name):
        at = town_now()
        host, _port = split_domain_port(request.get_host())
        view = View(
            at=at,
            seen=seen,
            source=visit_source(
                query_string=request.META.get("QUERY_STRING", ""),
                referrer=request.headers.get("Referer", ""),
                own_host=host,
            ),
            origin=origin_of(address),
            digest=visitor_digest(
                salt=_salt_of_day(schema_name, at.date()),
                schema_name=schema_name,
                address=address,
                user_agent=user_agent,
            ),
        )
        view_count(view=view, schema_name=schema_name)


def view_count(*, view: View, schema_name: str) -> None:
    """Count one view: in Redis when it answers, else in the database."""
    if not _redis_count(view=view, schema_name=schema_name):
        _database_count(view=view)


def _in_schema(schema_name: str) -> AbstractContextManager[object]:
    """The town's schema: the middleware hands it over, and the connection is normally on it
    already (then the Town it holds stays, and the town's clock costs no query)."""
    if connection.schema_name == schema_name:
        return nullcontext()
    return cast("AbstractContextManager[object]", schema_context(schema_name))


# --- The salt of the day ---------------------------------------------------------------------

_salts: dict[tuple[str, date], str] = {}
_salts_lock = threading.Lock()


def _salt_of_day(schema_name: str, day: date) -> str:
    """The town's salt of the day: one row in its schema, the same for every process (the
    first to ask makes it), read once per process and day."""
    key = (schema_name, day)
    salt = _salts.get(key)
    if salt is not None:
        return salt
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {VisitSalt._meta.db_table} (day, salt) VALUES (%s, %s) "  # noqa: S608
            "ON CONFLICT (day) DO UPDATE SET day = EXCLUDED.day RETURNING salt",
            [day, secrets.token_hex(32)],
        )
        salt = str(cursor.fetchone()[0])
    with _salts_lock:
        for old in [cached for cached in _salts if cached[1] < day]:
            del _salts[old]
        _salts[key] = salt
    return salt


def salts_forget() -> None:
    """Forget the salts this process read (tests that move the clock)."""
    with _salts_lock:
        _salts.clear()


# --- Redis ------------------------------------------------------------------------------------

# KEYS: pending counts, visitors of the day. ARGV: digest, now (epoch s), in how many seconds
# the visitors' hash expires, the visit gap (s), how many fields every view increments, those
# fields, then those of a view starting a visit, and last the new visitor's.
_COUNT_SCRIPT = """
local last = redis.call('HGET', KEYS[2], ARGV[1])
local now = tonumber(ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
local every = tonumber(ARGV[5])
for i = 6, 5 + every do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
if (not last) or (now - tonumber(last) >= tonumber(ARGV[4])) then
  for i = 6 + every, #ARGV - 1 do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
end
if not last then redis.call('HINCRBY', KEYS[1], ARGV[#ARGV], 1) end
return 1
"""
# KEYS: pending counts, the flush key. ARGV: a new batch id. Returns the flush key's fields.
_TAKE_SCRIPT = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
end
return redis.call('HGETALL', KEYS[2])
"""
# KEYS: the flush key. ARGV: the batch written. Deletes it if it still holds that batch (a
# concurrent flush may have written it, deleted it and taken the next one meanwhile).
_DROP_SCRIPT = """
if redis.call('HGET', KEYS[1], ARGV[2]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class _Counter:
    """This process's client of the visit counter's Redis (REDIS_URL), with its outage."""

    def __init__(self, url: str) -> None:
        # A Redis that does not answer costs a quarter of a second at most, once per
        # REDIS_DOWN_RETRY_SECONDS (comptoir.outage), and the view is counted in the database:
        # no retry (redis-py's default retries with a backoff of seconds).
        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=0.25,
            socket_timeout=0.25,
            retry=Retry(NoBackoff(), 0),
        )
        self.count = self.client.register_script(_COUNT_SCRIPT)
        self.take = self.client.register_script(_TAKE_SCRIPT)
        self.drop = self.client.register_script(_DROP_SCRIPT)
        self.outage = outage_for(
            "The visit counter's Redis", url, meanwhile="page views are counted in the database"
        )


_counters: dict[str, _Counter] = {}
_counters_lock = threading.Lock()


def _counter() -> _Counter | None:
    url = settings.REDIS_URL
    if not url:
        return None
    with _counters_lock:
        if url not in _counters:
            _counters[url] = _Counter(url)
        return _counters[url]


def _keys(schema_name: str) -> tuple[str, str, str]:
    # The cache's prefix keeps test runs sharing one Redis apart, as it does the cache's keys.
    base = f"visits:{settings.CACHES['default'].get('KEY_PREFIX', '')}:{schema_name}"
    return f"{base}:pending", f"{base}:flushing", f"{base}:seen"


def _redis_count(*, view: View, schema_name: str) -> bool:
    counter = _counter()
    if counter is None or counter.outage.waiting():
        return False
    every, starting, visitor = view_fields(view)
    pending, _flushing, seen = _keys(schema_name)
    # The visitors of the day are forgotten an hour after the day is over.
    day_over = datetime.combine(
        view.at.date() + timedelta(days=1), datetime.min.time(), tzinfo=view.at.tzinfo
    )
    expires = int((day_over - view.at).total_seconds()) + 3600
    try:
        counter.count(
            keys=[pending, f"{seen}:{view.at.date().isoformat()}"],
            args=[
                view.digest,
                int(view.at.timestamp()),
                expires,
                VISIT_GAP_SECONDS,
                len(every),
                *every,
                *starting,
                visitor,
            ],
        )
    except redis.RedisError as error:
        counter.outage.failed(error)
        return False
    counter.outage.answered()
    return True


# --- The database ----------------------------------------------------------------------------

_T_DAILY = PageViewsDaily._meta.db_table
_T_HOURLY = PageViewsHourly._meta.db_table
_T_SOURCE = VisitsBySource._meta.db_table
_T_ORIGIN = VisitsByOrigin._meta.db_table
_T_VISITORS = VisitorsDaily._meta.db_table
_T_SEEN = VisitorSeen._meta.db_table
_DAILY_KEY = "day, kind, merchant_id, product_id, category_id, campaign_id"

_DATABASE_COUNT_SQL = f"""
WITH seen AS (
    INSERT INTO {_T_SEEN} AS s (day, digest, last_seen, starts_visit)
    VALUES (%(day)s, %(digest)s, %(at)s, true)
    ON CONFLICT (day, digest) DO UPDATE SET
        last_seen = EXCLUDED.last_seen,
        starts_visit = s.last_seen <= EXCLUDED.last_seen - %(gap)s * interval '1 second'
    RETURNING (xmax = 0) AS new_visitor, starts_visit
), daily AS (
    INSERT INTO {_T_DAILY} AS t ({_DAILY_KEY}, views, visits)
    SELECT %(day)s, %(kind)s, %(merchant)s, %(product)s, %(category)s, %(campaign)s,
        1, seen.starts_visit::int FROM seen
    ON CONFLICT ({_DAILY_KEY}) DO UPDATE
        SET views = t.views + EXCLUDED.views, visits = t.visits + EXCLUDED.visits
), hourly AS (
    INSERT INTO {_T_HOURLY} AS t (day, hour, kind, views, visits)
    SELECT %(day)s, %(hour)s, %(kind)s, 1, seen.starts_visit::int FROM seen
    ON CONFLICT (day, hour, kind) DO UPDATE
        SET views = t.views + EXCLUDED.views, visits = t.visits + EXCLUDED.visits
), sources AS (
    INSERT INTO {_T_SOURCE} AS t (day, source, visits)
    SELECT %(day)s, %(source)s, 1 FROM seen WHERE seen.starts_visit
    ON CONFLICT (day, source) DO UPDATE SET visits = t.visits + EXCLUDED.visits
), origins AS (
    INSERT INTO {_T_ORIGIN} AS t (day, country, department, commune, visits)
    SELECT %(day)s, %(country)s, %(department)s, %(commune)s, 1 FROM seen WHERE seen.starts_visit
    ON CONFLICT (day, country, department, commune) DO UPDATE
        SET visits = t.visits + EXCLUDED.visits
)
INSERT INTO {_T_VISITORS} AS t (day, visitors)
SELECT %(day)s, 1 FROM seen WHERE seen.new_visitor
ON CONFLICT (day) DO UPDATE SET visitors = t.visitors + EXCLUDED.visitors
"""  # noqa: S608 — table names are the models' own


def _database_count(*, view: View) -> None:
    seen = view.seen
    with connection.cursor() as cursor:
        cursor.execute(
            _DATABASE_COUNT_SQL,
            {
                "day": view.at.date(),
                "hour": view.at.hour,
                "at": view.at,
                "digest": view.digest,
                "gap": VISIT_GAP_SECONDS,
                "kind": seen.kind,
                "merchant": seen.merchant_id or 0,
                "product": seen.product_id or 0,
                "category": seen.category_id or 0,
                "campaign": seen.campaign_id or 0,
                "source": view.source,
                "country": view.origin.country,
                "department": view.origin.department,
                "commune": view.origin.commune,
            },
        )


_INCREMENTS_SQL = f"""
WITH daily AS (
    INSERT INTO {_T_DAILY} AS t ({_DAILY_KEY}, views, visits)
    SELECT * FROM unnest(%s::date[], %s::text[], %s::bigint[], %s::bigint[], %s::bigint[],
        %s::bigint[], %s::int[], %s::int[])
    ON CONFLICT ({_DAILY_KEY}) DO UPDATE
        SET views = t.views + EXCLUDED.views, visits = t.visits + EXCLUDED.visits
), hourly AS (
    INSERT INTO {_T_HOURLY} AS t (day, hour, kind, views, visits)
    SELECT * FROM unnest(%s::date[], %s::smallint[], %s::text[], %s::int[], %s::int[])
    ON CONFLICT (day, hour, kind) DO UPDATE
        SET views = t.views + EXCLUDED.views, visits = t.visits + EXCLUDED.visits
), sources AS (
    INSERT INTO {_T_SOURCE} AS t (day, source, visits)
    SELECT * FROM unnest(%s::date[], %s::text[], %s::int[])
    ON CONFLICT (day, source) DO UPDATE SET visits = t.visits + EXCLUDED.visits
), origins AS (
    INSERT INTO {_T_ORIGIN} AS t (day, country, department, commune, visits)
    SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::int[])
    ON CONFLICT (day, country, department, commune) DO UPDATE
        SET visits = t.visits + EXCLUDED.visits
)
INSERT INTO {_T_VISITORS} AS t (day, visitors)
SELECT * FROM unnest(%s::date[], %s::int[])
ON CONFLICT (day) DO UPDATE SET visitors = t.visitors + EXCLUDED.visitors
"""  # noqa: S608 — table names are the models' own


def _columns(rows: Mapping[tuple[Any, ...], tuple[int, ...]]) -> list[list[Any]]:
    """Rows as one list per column, keys then counts, for unnest()."""
    if not rows:
        return []
    return [
        list(column) for column in zip(*(key + counts for key, counts in rows.items()), strict=True)
    ]


def increments_upsert(counts: Mapping[str, int]) -> None:
    """Add counts, by hash field (daily_field, hourly_field, …), to the current town's tables in
    one statement. The flush writes Redis's counts with it, the demo its made-up past."""
    daily: dict[tuple[Any, ...], list[int]] = {}
    hourly: dict[tuple[Any, ...], list[int]] = {}
    sources: Counter[tuple[Any, ...]] = Counter()
    origins: Counter[tuple[Any, ...]] = Counter()
    visitors: Counter[tuple[Any, ...]] = Counter()
    for field, count in counts.items():
        family, day_text, *rest = field.split(_SEPARATOR)
        day = date.fromisoformat(day_text)
        if family == "d":
            kind, merchant, product, category, campaign, measure = rest
            key = (day, kind, int(merchant), int(product), int(category), int(campaign))
            daily.setdefault(key, [0, 0])[measure == "e"] += count
        elif family == "h":
            hour, kind, measure = rest
            hourly.setdefault((day, int(hour), kind), [0, 0])[measure == "e"] += count
        elif family == "s":
            sources[(day, rest[0])] += count
        elif family == "o":
            origins[(day, *rest)] += count
        elif family == "u":
            visitors[(day,)] += count
    tables: list[tuple[Mapping[tuple[Any, ...], tuple[int, ...]], int]] = [
        ({key: tuple(value) for key, value in daily.items()}, 8),
        ({key: tuple(value) for key, value in hourly.items()}, 5),
        ({key: (value,) for key, value in sources.items()}, 3),
        ({key: (value,) for key, value in origins.items()}, 5),
        ({key: (value,) for key, value in visitors.items()}, 2),
    ]
    params: list[list[Any]] = []
    for rows, width in tables:
        params.extend(_columns(rows) or [[] for _ in range(width)])
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENTS_SQL, params)


# --- Flushing Redis into the tables -----------------------------------------------------------


def visits_flush(*, schema_name: str) -> int:
    """Move the town's counts from Redis into its tables (see the module's docstring); returns
    how many batches were written. Then forgets the days that are over."""
    written = 0
    counter = _counter()
    if counter is not None and not counter.outage.waiting():
        pending, flushing, _seen = _keys(schema_name)
        # A batch left by a flush that died is taken first, then the pending counts.
        for _attempt in range(2):
            try:
                found = counter.take(
                    keys=[pending, flushing], args=[str(uuid.uuid4()), _BATCH_FIELD]
                )
            except redis.RedisError as error:
                counter.outage.failed(error)
                break
            counter.outage.answered()
            if not found:
                break
            fields = dict(zip(found[::2], found[1::2], strict=True))
            batch = fields.pop(_BATCH_FIELD.encode()).decode()
            counts = {field.decode(): int(value) for field, value in fields.items()}
            with _in_schema(schema_name):
                written += _batch_write(batch=batch, counts=counts)
            try:
                counter.drop(keys=[flushing], args=[batch, _BATCH_FIELD])
            except redis.RedisError as error:
                # The batch is recorded: the next flush only deletes it.
                counter.outage.failed(error)
                break
    with _in_schema(schema_name):
        visit_days_forget(today=town_now().date())
    return written


def _batch_write(*, batch: str, counts: Mapping[str, int]) -> int:
    with transaction.atomic(durable=True):
        _flush, created = VisitFlush.objects.get_or_create(batch=batch)
        if not created:
            return 0
        increments_upsert(counts)
        return 1


def visit_days_forget(*, today: date) -> None:
    """Delete the salts and visitors' digests of the days that are over, and the record of
    batches flushed more than a day ago."""
    VisitSalt.objects.filter(day__lt=today).delete()
    VisitorSeen.objects.filter(day__lt=today).delete()
    VisitFlush.objects.filter(flushed_at__lt=timezone.now() - timedelta(days=1)).delete()
