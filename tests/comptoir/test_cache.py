"""The cache keys every entry by schema: one town never reads another's."""

import uuid
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import inside, signed_in, user_create


@pytest.fixture
def key(town_a, town_b) -> Iterator[str]:
    """A key no other test or run uses, deleted from every schema afterwards."""
    name = f"greeting-{uuid.uuid4().hex}"
    yield name
    for town in (town_a, town_b):
        with inside(town):
            cache.delete(name)
    cache.delete(name)


def test_a_value_cached_in_one_town_is_invisible_in_another(town_a, town_b, key):
    with inside(town_a):
        cache.set(key, "bonjour d'Alpha")

    with inside(town_b):
        assert cache.get(key) is None
        cache.set(key, "bonjour de Beta")
    assert cache.get(key) is None  # nor on the platform's own (public) side

    with inside(town_a):
        assert cache.get(key) == "bonjour d'Alpha"
    with inside(town_b):
        assert cache.get(key) == "bonjour de Beta"


def test_deleting_in_one_town_keeps_the_other_towns_value(town_a, town_b, key):
    for town in (town_a, town_b):
        with inside(town):
            cache.set(key, town.slug)

    with inside(town_a):
        cache.delete(key)
        assert cache.get(key) is None
    with inside(town_b):
        assert cache.get(key) == "beta"


@pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set: the cache is in memory")
def test_redis_holds_one_key_per_schema(town_a, town_b, key):
    assert settings.CACHES["default"]["BACKEND"] == "comptoir.cache.ResilientRedisCache"
    prefix = settings.CACHES["default"]["KEY_PREFIX"]

    for town in (town_a, town_b):
        with inside(town):
            cache.set(key, town.slug, timeout=60)

    raw = redis.Redis.from_url(settings.REDIS_URL)
    assert {k.decode() for k in raw.keys(f"*{key}")} == {
        f"alpha:{prefix}:1:{key}",
        f"beta:{prefix}:1:{key}",
    }


def test_a_session_is_read_from_its_own_town_s_cache(client_a, town_a, town_b):
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX

    user_create(town_a, "lea@alpha.test")
    signed_in(client_a, town_a, "lea@alpha.test")
    session_key = client_a.cookies[settings.SESSION_COOKIE_NAME].value

    with inside(town_a):
        assert cache.get(KEY_PREFIX + session_key)["_auth_user_id"]
    with inside(town_b):
        assert cache.get(KEY_PREFIX + session_key) is None
    client_a.get("/mentions-legales/")  # the routing cache warmed
    with CaptureQueriesContext(connection) as queries:
        client_a.get("/mentions-legales/")
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)
