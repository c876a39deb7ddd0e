"""Per-route timings, SQL query counts and cache hit rates, sampled, kept an hour in Redis.

`MetricsMiddleware` measures a sample of requests (NEXUS_METRICS_SAMPLE, default 5%): the
time from the first middleware to the response, the SQL statements run, and hub.cache's
hits and misses by cache name. The write to Redis happens when the server closes the
response, after the body has been sent (WSGI calls close()), so it is never on the
request's critical path; a failure is logged and dropped. Each minute has its own keys,
which expire after an hour:

    nexus:metrics:<minute>:routes          set of routes seen
    nexus:metrics:<minute>:r:<route>       list of "ms,queries" samples (capped)
    nexus:metrics:<minute>:cache           hash "<name>:hit" / "<name>:miss" -> count

`summary()` reads the last hour for the admin page (/metrics/; a template partial the
ops page can include: "hub/metrics.html#metrics"). With NEXUS_METRICS_HEADERS on (the
benchmark), every response also says `X-Nexus-Queries`, `X-Nexus-Cache: hits/lookups` and
`X-Nexus-Ms` (the time inside the worker, for the benchmark's server-side p50/p99).
Without Redis (the embedded default) nothing is recorded.
"""

from __future__ import annotations

import logging
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from hub import cache

logger = logging.getLogger(__name__)

PREFIX = "nexus:metrics"
KEEP_SECONDS = 3700
SAMPLES_PER_MINUTE = 500  # per route


def _redis() -> Any | None:
    backend = caches["default"]
    client = getattr(backend, "_cache", None)
    if client is None or not hasattr(client, "get_client"):
        return None  # not Redis
    return client.get_client(write=True)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        headers, sampled = wanted()
        if not (headers or sampled):
            return self.get_response(request)
        queries = [0]

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        stats = cache.stats_begin()
        started = time.perf_counter()
        try:
            with connection.execute_wrapper(count):
                response = self.get_response(request)
        finally:
            cache.stats_end()
        after = observe(request, response, started, queries[0], stats, headers, sampled)
        if after is not None:
            response._resource_closers.append(after)
        return response


def wanted() -> tuple[bool, bool]:
    """(NEXUS_METRICS_HEADERS, whether this request is in the sample)."""
    headers = getattr(settings, "NEXUS_METRICS_HEADERS", False)
    sampled = random.random() < getattr(settings, "NEXUS_METRICS_SAMPLE", 0.05)  # noqa: S311
    return headers, sampled


def observe(
    request: Any,
    response: Any,
    started: float,
    queries: int,
    stats: dict[str, list[int]],
    headers: bool,
    sampled: bool,
) -> Callable[[], None] | None:
    """The figures of one measured request: headers on the response when asked for, and for
    a sampled one the write to call once the body has been sent (never before)."""
    elapsed_ms = (time.perf_counter() - started) * 1000
    if headers:
        hits = sum(pair[0] for pair in stats.values())
        lookups = sum(pair[0] + pair[1] for pair in stats.values())
        response["X-Nexus-Queries"] = str(queries)
        response["X-Nexus-Cache"] = f"{hits}/{lookups}"
        response["X-Nexus-Ms"] = f"{elapsed_ms:.2f}"
    if not sampled:
        return None
    match = getattr(request, "resolver_match", None)
    route = (
        "/" + match.route
        if match and match.route
        else getattr(request, "nexus_route", "") or "(unrouted)"
    )
    return lambda: record(route=route, ms=elapsed_ms, queries=queries, stats=stats)


def _minute(now: float | None = None) -> int:
    return int((now if now is not None else time.time()) // 60)


def record(*, route: str, ms: float, queries: int, stats: dict[str, list[int]]) -> None:
    """One sample into this minute's keys. Never raises."""
    try:
        client = _redis()
        if client is None or not cache.available():
            return
        base = f"{PREFIX}:{_minute()}"
        pipe = client.pipeline(transaction=False)
        pipe.sadd(f"{base}:routes", route)
        pipe.rpush(f"{base}:r:{route}", f"{ms:.2f},{queries}")
        pipe.ltrim(f"{base}:r:{route}", -SAMPLES_PER_MINUTE, -1)
        for name, (hits, misses) in stats.items():
            if hits:
                pipe.hincrby(f"{base}:cache", f"{name}:hit", hits)
            if misses:
                pipe.hincrby(f"{base}:cache", f"{name}:miss", misses)
        for key in (f"{base}:routes", f"{base}:r:{route}", f"{base}:cache"):
            pipe.expire(key, KEEP_SECONDS)
        pipe.execute()
    except Exception as error:  # noqa: BLE001 - metrics must never break a response
        logger.info("metrics: sample dropped (%s)", error)


@dataclass
class RouteFigure:
    route: str
    samples: int
    p50_ms: float
    p95_ms: float
    queries_p50: float
    queries_max: int


@dataclass
class CacheFigure:
    name: str
    hits: int
    misses: int

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


@dataclass
class Summary:
    available: bool
    minutes: int
    routes: list[RouteFigure]
    caches: list[CacheFigure]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(*, minutes: int = 60, now: float | None = None) -> Summary:
    """The last `minutes` of samples: per route p50/p95 time and queries (slowest p95
    first), per cache hits and misses (busiest first)."""
    try:
        client = _redis()
        if client is None:
            return Summary(False, minutes, [], [])
        last = _minute(now)
        bases = [f"{PREFIX}:{m}" for m in range(last - minutes + 1, last + 1)]
        pipe = client.pipeline(transaction=False)
        for base in bases:
            pipe.smembers(f"{base}:routes")
            pipe.hgetall(f"{base}:cache")
        found = pipe.execute()
        routes: set[str] = set()
        hits: dict[str, list[int]] = {}
        for members, cache_hash in zip(found[::2], found[1::2], strict=True):
            routes |= {m.decode() for m in members}
            for field, value in cache_hash.items():
                name, _, kind = field.decode().rpartition(":")
                pair = hits.setdefault(name, [0, 0])
                pair[0 if kind == "hit" else 1] += int(value)
        pipe = client.pipeline(transaction=False)
        ordered = sorted(routes)
        for route in ordered:
            for base in bases:
                pipe.lrange(f"{base}:r:{route}", 0, -1)
        lists = pipe.execute()
    except Exception as error:  # noqa: BLE001
        logger.info("metrics: summary unavailable (%s)", error)
        return Summary(False, minutes, [], [])
    figures = []
    for i, route in enumerate(ordered):
        chunks = lists[i * len(bases) : (i + 1) * len(bases)]
        samples = [s.decode().split(",") for chunk in chunks for s in chunk]
        if not samples:
            continue
        times = [float(ms) for ms, _ in samples]
        counts = [int(q) for _, q in samples]
        figures.append(
            RouteFigure(
                route=route,
                samples=len(samples),
                p50_ms=statistics.median(times),
                p95_ms=_quantile(times, 0.95),
                queries_p50=statistics.median(counts),
                queries_max=max(counts),
            )
        )
    figures.sort(key=lambda f: f.p95_ms, reverse=True)
    cache_figures = [CacheFigure(name, h, m) for name, (h, m) in hits.items()]
    cache_figures.sort(key=lambda f: f.hits + f.misses, reverse=True)
    return Summary(True, minutes, figures, cache_figures)
