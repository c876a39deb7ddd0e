"""Caching that is never stale: versioned keys, stampede protection, and outages as misses.

Every cached thing names what it depends on as (kind, id) pairs, e.g. ("question", 42). Each
pair has a version number in the cache; the entry's key includes the current versions, so a
write that bumps one of them makes the old entry unreachable at once (no delete, no race):

    html = cache.fragment("thread", deps=[("question", 42)], compute=render_answers)

Services bump the versions in the same place they publish the live event for the write
(discussions/events.py, projects/events.py), after commit, before the writer's response is
sent: the very next read computes afresh.

    cache.version_bump("question", 42)

A version that is missing (never set, or evicted) starts at the current time in
microseconds, never at 0, so it can never meet an entry cached under an older number.

Stampede protection: on a miss one request takes a short lock (`add`) and recomputes; the
others wait briefly for it (polling the entry), or, for entries declared `stale_ok`, serve
the previous value at once. After the wait they compute it themselves: never an error.

Outages: every call here degrades to a miss on any cache error. After an error the cache is
left alone for NEXUS_CACHE_RETRY_SECONDS (per process), so a Redis that accepts connections
but never answers costs one bounded timeout (the socket timeouts in settings), not one per
call. Other users of the default cache handle outages their own way (allauth's rate limits:
accounts/ratelimits.py), so the backend itself stays Django's RedisCache.

Per-request hit and miss counts per cache name feed hub.metrics.

Entries declared `local` (whole pages) are also kept in this process, under the same
versioned key: a hit then costs one round trip (the versions) instead of two, and no copy
of the entry over the socket. Never stale: the versions are still read from the cache on
every call, and a bump makes a new key. A copy made on a cache hit lives half the timeout
(the entry in the cache may be that old), so an entry is shown at most 1.5 times its
timeout after it was computed. Only for values nobody mutates (bytes, strings, tuples):
every caller in the process gets the same object.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

MISSING = object()
VERSION_PREFIX = "v"
# How long one recomputation may hold the lock, and how long the others wait for it.
LOCK_SECONDS = 5
WAIT_SECONDS = 0.5
POLL_SECONDS = 0.01
# Cached entries expire anyway after this (a bump lost in an outage heals by itself).
ENTRY_TIMEOUT = 3600
LOG_INTERVAL = 60.0
# How many `local` entries each process keeps, and how many bytes of them when the caller
# says how big each is (whole pages): the oldest goes first.
LOCAL_MAX = 256
LOCAL_MAX_BYTES = 64 * 1024 * 1024

Dep = tuple[str, int | str]

# --- Outage handling -------------------------------------------------------------------

_down_until = 0.0
_last_log = 0.0


def _retry_seconds() -> float:
    return float(getattr(settings, "NEXUS_CACHE_RETRY_SECONDS", 5.0))


def available() -> bool:
    """False for a few seconds after a cache error (in this process)."""
    return time.monotonic() >= _down_until


def _failed(error: BaseException) -> None:
    global _down_until, _last_log
    now = time.monotonic()
    _down_until = now + _retry_seconds()
    if now - _last_log > LOG_INTERVAL:
        _last_log = now
        logger.warning("cache: %s: %s; serving uncached for a while", type(error).__name__, error)


def reset() -> None:
    """Forget a past outage and this process's local entries (tests)."""
    global _down_until
    _down_until = 0.0
    _local.clear()
    _local_sizes.clear()


# --- This process's copies of `local` entries ----------------------------------------------

# {versioned key: (monotonic expiry, value)}, oldest first; the sizes callers gave.
_local: dict[str, tuple[float, Any]] = {}
_local_sizes: dict[str, int] = {}


def _local_get(key: str) -> Any:
    found = _local.get(key)
    if found is None:
        return MISSING
    if time.monotonic() >= found[0]:
        _local.pop(key, None)
        _local_sizes.pop(key, None)
        return MISSING
    return found[1]


def _local_set(key: str, value: Any, seconds: float, size: int = 0) -> None:
    _local.pop(key, None)
    _local[key] = (time.monotonic() + seconds, value)
    _local_sizes[key] = size
    while len(_local) > LOCAL_MAX or (
        len(_local) > 1 and sum(_local_sizes.values()) > LOCAL_MAX_BYTES
    ):
        try:
            oldest = next(iter(_local))
            _local.pop(oldest, None)
            _local_sizes.pop(oldest, None)
        except (StopIteration, RuntimeError):  # emptied or changed by another thread
            break


def _backend() -> Any:
    return caches["default"]


def _call(method: str, *args: Any, default: Any = None, **kwargs: Any) -> Any:
    """One cache call; `default` when the cache is down or the call fails."""
    if not available():
        return default
    try:
        return getattr(_backend(), method)(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any cache failure is a miss, never an error
        _failed(error)
        return default


# --- Per-request statistics -------------------------------------------------------------

# {cache name: [hits, misses]} for the current request (hub.metrics reads and resets it).
_stats: contextvars.ContextVar[dict[str, list[int]] | None] = contextvars.ContextVar(
    "nexus_cache_stats", default=None
)


def stats_begin() -> dict[str, list[int]]:
    stats: dict[str, list[int]] = {}
    _stats.set(stats)
    return stats


def stats_end() -> None:
    _stats.set(None)


def _count(name: str, hit: bool) -> None:
    stats = _stats.get()
    if stats is not None:
        pair = stats.setdefault(name, [0, 0])
        pair[0 if hit else 1] += 1


# --- Versions ---------------------------------------------------------------------------


def _version_key(kind: str, key: int | str) -> str:
    return f"{VERSION_PREFIX}:{kind}:{key}"


def versions(deps: Iterable[Dep]) -> tuple[int, ...] | None:
    """The current version of each dependency, in order; None when the cache is down."""
    keys = [_version_key(kind, key) for kind, key in deps]
    found = _call("get_many", keys, default=None)
    if found is None:
        return None
    result = []
    for key in keys:
        value = found.get(key)
        if value is None:
            # Never set, or evicted: start from now, so no older entry can match.
            start = time.time_ns() // 1_000
            if not _call("add", key, start, timeout=None, default=False):
                value = _call("get", key, default=None)
            value = start if value is None else value
        result.append(int(value))
    return tuple(result)


def version_bump(kind: str, key: int | str = "", *, pages: bool = True) -> None:
    """Make every entry that depends on (kind, key) unreachable. Never raises: called after
    commit, where the write has already happened. Entries expire anyway after their timeout,
    which bounds the staleness of a bump lost in an outage. `pages=False` for a version
    that no page shows but the pages that name it (a session: hub.sessions)."""
    vkey = _version_key(kind, key)
    if kind != "pages" and pages:  # whole pages (hub.page_cache) show everything
        version_bump("pages")
    if not available():
        logger.warning("cache: down, bump of %s lost (entries expire by themselves)", vkey)
        return
    try:
        _backend().incr(vkey)
    except ValueError:  # missing: any fresh value is newer than what entries were keyed by
        _call("set", vkey, time.time_ns() // 1_000, timeout=None)
    except Exception as error:  # noqa: BLE001
        _failed(error)
    if kind != "pages" and pages:
        _call("set", _changed_key(kind, key), time.time(), timeout=ENTRY_TIMEOUT)


# --- When things last changed -----------------------------------------------------------


def _changed_key(kind: str, key: int | str) -> str:
    return f"t:{kind}:{key}"


def unchanged_since(deps: Iterable[Dep], since: float) -> bool:
    """True only when it is known that none of `deps` (nor the site) was bumped at or after
    `since` (a Unix time): each bump notes its time (for an hour). An unknown time (never
    noted, expired, evicted, the cache down or off) answers False, and starts the note at
    now, so the question can be answered from then on. For skipping work that would only
    repeat what a client already has (the live catch-up); False is always safe."""
    if not settings.NEXUS_CACHE:
        return False
    keys = [_changed_key(kind, key) for kind, key in [("site", ""), *deps]]
    found = _call("get_many", keys, default=None)
    if found is None:
        return False
    known = True
    for key in keys:
        if key not in found:
            known = False
            _call("add", key, time.time(), timeout=ENTRY_TIMEOUT)
    return known and all(float(found[key]) < since for key in keys)


# --- Cached values ----------------------------------------------------------------------


def by_content(name: str, *, facts: Any, compute: Callable[[], str], minute: bool = False) -> str:
    """HTML kept under a digest of everything it shows (`facts`: plain values taken from rows
    the request fetched anyway), so whoever would render the same thing gets the same entry
    and nothing needs invalidating: a change is another key. `minute` adds the current
    minute, for relative times ("3 minutes ago"). Entries expire like any other."""
    if not settings.NEXUS_CACHE:
        return compute()
    if minute:
        facts = (facts, int(time.time() // 60))
    digest = hashlib.blake2b(repr(facts).encode(), digest_size=16).hexdigest()
    return fragment(name, parts=[digest], compute=compute)


def _head(name: str, parts: Iterable[Any]) -> str:
    return ":".join([name, *(str(p) for p in parts)])


def _key(head: str, current: tuple[int, ...]) -> str:
    return f"c:{head}:" + ".".join(str(v) for v in current)


def peek(
    name: str,
    *,
    deps: Iterable[Dep] = (),
    parts: Iterable[Any] = (),
    timeout: int = ENTRY_TIMEOUT,
    local_size: Callable[[Any], int] | None = None,
) -> Any:
    """What fragment() would return for these arguments if the entry is stored, else
    MISSING, without computing anything (also MISSING with the cache off or down). For a
    fast path in front of the code that calls fragment() (hub.page_cache's WSGI hits): on
    MISSING it goes on to that code, which counts the miss and computes. `local` entries
    only (a copy found in the cache is kept in this process as fragment() keeps it)."""
    if not settings.NEXUS_CACHE:
        return MISSING
    current = versions([("site", ""), *deps])
    if current is None:
        return MISSING
    key = _key(_head(name, parts), current)
    value = _local_get(key)
    if value is MISSING:
        value = _call("get", key, MISSING, default=MISSING)
        if value is MISSING:
            return MISSING
        _local_set(key, value, timeout / 2, local_size(value) if local_size else 0)
    _count(name, True)
    return value


def fragment[T](
    name: str,
    *,
    compute: Callable[[], T],
    deps: Iterable[Dep] = (),
    parts: Iterable[Any] = (),
    timeout: int = ENTRY_TIMEOUT,
    stale_ok: bool = False,
    local: bool = False,
    local_size: Callable[[T], int] | None = None,
    keep: Callable[[T], bool] | None = None,
) -> T:
    """The cached value of `compute()` for these parts and the current versions of `deps`.

    `parts` are plain values that select the entry (a page number, a viewer class); `deps`
    are what a write invalidates. The site-wide ("site", "") version is always a dependency
    (people's names, roles, categories). `stale_ok` entries are served from their previous
    version while one request recomputes (for figures that may be a few minutes old).
    `local` entries are kept in this process too (see the module's docstring), within
    LOCAL_MAX_BYTES when `local_size(value)` says how big each is. A computed
    value for which `keep(value)` is false is returned but not stored (a result that turned
    out to be one viewer's own, e.g. with their hidden posts in it)."""
    if not settings.NEXUS_CACHE:
        return compute()
    current = versions([("site", ""), *deps])
    if current is None:  # the cache is down: compute, do not wait on locks
        _count(name, False)
        return compute()
    head = _head(name, parts)
    key = _key(head, current)
    latest_key = f"c:{head}:latest"
    if local and (value := _local_get(key)) is not MISSING:
        _count(name, True)
        return value
    value = _call("get", key, MISSING, default=MISSING)
    if value is not MISSING:
        _count(name, True)
        if local:
            _local_set(key, value, timeout / 2, local_size(value) if local_size else 0)
        return value
    _count(name, False)
    lock = f"{key}:lock"
    if _call("add", lock, 1, timeout=LOCK_SECONDS, default=True):
        try:
            value = compute()
            if keep is not None and not keep(value):
                return value
            _call("set", key, value, timeout=timeout)
            if local:
                _local_set(key, value, timeout, local_size(value) if local_size else 0)
            if stale_ok:
                _call("set", latest_key, value, timeout=timeout)
        finally:
            _call("delete", lock)
        return value
    if stale_ok:
        previous = _call("get", latest_key, MISSING, default=MISSING)
        if previous is not MISSING:
            return previous
    # Someone else is computing this entry: wait for it briefly, then do it ourselves.
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and available():
        time.sleep(POLL_SECONDS)
        value = _call("get", key, MISSING, default=MISSING)
        if value is not MISSING:
            return value
    value = compute()
    if keep is None or keep(value):
        _call("set", key, value, timeout=timeout)
    return value
