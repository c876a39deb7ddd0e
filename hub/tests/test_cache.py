"""hub.cache: versioned keys, stampede protection, and a cache outage as a miss."""

import socket
import threading

import pytest
from django.core.cache import cache as django_cache
from django.test import override_settings

from hub import cache

pytestmark = pytest.mark.cached
CLOSED_PORT = 21601  # nothing listens here (in this engineer's range)


class Counter:
    def __init__(self, value="computed"):
        self.calls = 0
        self.value = value

    def __call__(self):
        self.calls += 1
        return f"{self.value} {self.calls}"


def test_an_entry_is_computed_once_per_version():
    compute = Counter()
    first = cache.fragment("t", deps=[("question", 1)], compute=compute)
    again = cache.fragment("t", deps=[("question", 1)], compute=compute)
    assert first == again == "computed 1"

    cache.version_bump("question", 1)
    assert cache.fragment("t", deps=[("question", 1)], compute=compute) == "computed 2"
    # Another question's version is its own.
    cache.version_bump("question", 2)
    assert cache.fragment("t", deps=[("question", 1)], compute=compute) == "computed 2"
    # The site version is a dependency of everything.
    cache.version_bump("site")
    assert cache.fragment("t", deps=[("question", 1)], compute=compute) == "computed 3"


def test_parts_select_separate_entries():
    compute = Counter()
    assert cache.fragment("t", parts=["anon"], compute=compute) == "computed 1"
    assert cache.fragment("t", parts=["signed-in"], compute=compute) == "computed 2"
    assert cache.fragment("t", parts=["anon"], compute=compute) == "computed 1"


def test_local_entries_skip_the_entrys_round_trip_and_still_see_every_bump(monkeypatch):
    compute = Counter()
    assert cache.fragment("t", compute=compute, local=True) == "computed 1"
    reads = []
    backend = cache._backend()
    original = backend.get
    monkeypatch.setattr(backend, "get", lambda *a, **k: reads.append(a) or original(*a, **k))
    assert cache.fragment("t", compute=compute, local=True) == "computed 1"
    assert reads == []  # only the versions were read (get_many)
    cache.version_bump("site")
    assert cache.fragment("t", compute=compute, local=True) == "computed 2"


def test_local_copies_of_cache_hits_expire(monkeypatch):
    compute = Counter()
    cache.fragment("t", compute=compute, timeout=30)  # in the cache, not in this process
    assert cache.fragment("t", compute=compute, timeout=30, local=True) == "computed 1"
    now = cache.time.monotonic()
    monkeypatch.setattr(cache.time, "monotonic", lambda: now + 16)  # past half the timeout
    assert cache._local_get(next(iter(cache._local))) is cache.MISSING
    # Full: the oldest goes first.
    for i in range(cache.LOCAL_MAX + 5):
        cache.fragment("t", parts=[i], compute=compute, local=True)
    assert len(cache._local) == cache.LOCAL_MAX


def test_peek_finds_what_fragment_stored_and_never_computes(monkeypatch):
    compute = Counter()
    assert cache.peek("t", deps=[("question", 1)], parts=["a"]) is cache.MISSING
    cache.fragment("t", deps=[("question", 1)], parts=["a"], compute=compute, local=True)
    stats = cache.stats_begin()
    assert cache.peek("t", deps=[("question", 1)], parts=["a"]) == "computed 1"
    cache.stats_end()
    assert stats == {"t": [1, 0]}
    assert cache.peek("t", deps=[("question", 1)], parts=["b"]) is cache.MISSING
    cache.reset()  # this process's copy gone: found in the cache, and kept here again
    assert cache.peek("t", deps=[("question", 1)], parts=["a"]) == "computed 1"
    cache.version_bump("question", 1)
    assert cache.peek("t", deps=[("question", 1)], parts=["a"]) is cache.MISSING
    assert compute.calls == 1


def test_peek_is_missing_with_the_cache_off_or_down(settings):
    cache.fragment("t", compute=Counter(), local=True)
    settings.NEXUS_CACHE = False
    assert cache.peek("t") is cache.MISSING
    settings.NEXUS_CACHE = True
    with override_settings(CACHES=redis_cache_at(CLOSED_PORT)):
        cache.reset()
        assert cache.peek("t") is cache.MISSING


def test_a_lost_version_never_meets_an_older_entry():
    """An evicted version restarts from the clock, not from 0 or 1."""
    compute = Counter()
    cache.fragment("t", deps=[("question", 5)], compute=compute)
    before = cache.versions([("question", 5)])
    django_cache.delete("v:question:5")
    after = cache.versions([("question", 5)])
    assert after != before
    assert after[0] > 1_000_000_000_000_000  # microseconds since 1970
    # A bump of a missing version sets one too.
    django_cache.delete("v:question:6")
    cache.version_bump("question", 6)
    assert cache.versions([("question", 6)])[0] > 1_000_000_000_000_000


def _lock_key(name, deps):
    current = cache.versions([("site", ""), *deps])
    return f"c:{name}:" + ".".join(str(v) for v in current)


def test_while_one_request_recomputes_the_others_wait_for_its_value():
    key = _lock_key("slow", [("question", 9)])
    assert django_cache.add(f"{key}:lock", 1, 5)  # someone else is computing
    # ...and finishes a moment later.
    timer = threading.Timer(0.1, lambda: django_cache.set(key, "theirs"))
    timer.start()
    compute = Counter()
    try:
        value = cache.fragment("slow", deps=[("question", 9)], compute=compute)
    finally:
        timer.join()
    assert value == "theirs"
    assert compute.calls == 0


def test_stale_ok_entries_serve_the_previous_value_while_one_recomputes():
    compute = Counter("figures")
    assert cache.fragment("figs", compute=compute, stale_ok=True) == "figures 1"
    cache.version_bump("site")
    key = _lock_key("figs", [])
    assert django_cache.add(f"{key}:lock", 1, 5)
    assert cache.fragment("figs", compute=compute, stale_ok=True) == "figures 1"
    assert compute.calls == 1
    django_cache.delete(f"{key}:lock")
    assert cache.fragment("figs", compute=compute, stale_ok=True) == "figures 2"


def test_a_waiter_computes_itself_when_the_lock_holder_never_finishes(monkeypatch):
    monkeypatch.setattr(cache, "WAIT_SECONDS", 0.05)
    key = _lock_key("stuck", [])
    django_cache.add(f"{key}:lock", 1, 5)
    compute = Counter()
    assert cache.fragment("stuck", compute=compute) == "computed 1"


def test_a_value_keep_refuses_is_returned_but_never_stored(monkeypatch):
    compute = Counter()
    only_even = lambda value: value.endswith(("2", "4"))  # noqa: E731
    assert cache.fragment("k", compute=compute, keep=only_even) == "computed 1"
    assert cache.fragment("k", compute=compute, keep=only_even) == "computed 2"  # not kept
    assert cache.fragment("k", compute=compute, keep=only_even) == "computed 2"  # kept
    monkeypatch.setattr(cache, "WAIT_SECONDS", 0.05)  # a waiter computing itself: the same
    django_cache.add(f"{_lock_key('w', [])}:lock", 1, 5)
    assert cache.fragment("w", compute=compute, keep=only_even) == "computed 3"
    assert cache.fragment("w", compute=compute, keep=only_even) == "computed 4"


def test_stats_count_hits_and_misses_per_name():
    stats = cache.stats_begin()
    try:
        cache.fragment("a", compute=Counter())
        cache.fragment("a", compute=Counter())
        cache.fragment("b", compute=Counter())
    finally:
        cache.stats_end()
    assert stats == {"a": [1, 1], "b": [0, 1]}


# --- Outages ------------------------------------------------------------------------------


def redis_cache_at(port):
    return {
        "default": {
            "BACKEND": "hub.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers (a hung Redis). Yields the port
    and the list of connections it accepted."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_closed_port_is_a_miss_never_an_error():
    with override_settings(CACHES=redis_cache_at(CLOSED_PORT)):
        compute = Counter()
        assert cache.fragment("t", deps=[("question", 1)], compute=compute) == "computed 1"
        assert cache.fragment("t", deps=[("question", 1)], compute=compute) == "computed 2"
        cache.version_bump("question", 1)  # no error either
        assert not cache.available()


def test_a_silent_redis_costs_one_timeout_not_one_per_call(silent_port):
    port, accepted = silent_port
    with override_settings(CACHES=redis_cache_at(port)):
        compute = Counter()
        for _ in range(5):
            cache.fragment("t", deps=[("question", 1)], compute=compute)
            cache.version_bump("question", 1)
        assert compute.calls == 5
        assert len(accepted) == 1  # one attempt, then the cache is left alone


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["closed", "silent"])
def test_pages_render_with_the_cache_down(client, learner, where, silent_port):
    from discussions.tests import factories as make

    question = make.question(learner, title="Does the cache outage break pages?")
    make.answer(learner, question, body="It must not.")
    port = CLOSED_PORT if where == "closed" else silent_port[0]
    with override_settings(CACHES=redis_cache_at(port)):
        for path in ("/", "/questions/", question.get_absolute_url(), "/search/?q=cache"):
            response = client.get(path)
            assert response.status_code == 200, path
        cache.reset()  # the next request tries the cache again, signed in this time
        client.force_login(learner)
        response = client.get(question.get_absolute_url())
        assert response.status_code == 200
        assert "It must not." in response.text


def test_local_copies_keep_within_their_byte_budget(monkeypatch):
    monkeypatch.setattr(cache, "LOCAL_MAX_BYTES", 1000)
    compute = Counter()
    for i in range(5):
        cache.fragment("t", parts=[i], compute=compute, local=True, local_size=lambda v: 400)
    assert len(cache._local) == 2 and sum(cache._local_sizes.values()) == 800
