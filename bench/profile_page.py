"""Where one page's time goes: cProfile of N requests in this process, through the whole
WSGI stack (every middleware, the real Redis cache, PostgreSQL), as a visitor, a learner or
a mentor of the bench data set. Not a test: it prints figures.

    .venv/bin/python bench/profile_page.py /questions/ --as learner -n 100
    .venv/bin/python bench/profile_page.py /api/v1/questions --as learner-token

It uses bench/run.py's database and Redis (DATABASE_URL, REDIS_URL; run `make bench` or
`bench/run.py --seed-only` first). Prints CPU time per request, the SQL statements and their
time, then the top functions by cumulative and by own time, and a split by area (templates,
database, cache, middleware and the rest).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nexus_bench_big")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/6")
os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
os.environ["DJANGO_DEBUG"] = "false"
os.environ["DJANGO_SECRET_KEY"] = "bench-" + secrets.token_urlsafe(48)
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
os.environ["NEXUS_ALLOW_LOOPBACK_BASE_URL"] = "true"
os.environ["NEXUS_METRICS_HEADERS"] = "true"
os.environ.setdefault("NEXUS_API_RATE_USER", "1000000/s")
os.environ.setdefault("NEXUS_API_RATE_ANON", "1000000/s")
os.environ["DJANGO_LOG_LEVEL"] = "WARNING"

import django  # noqa: E402

django.setup()

from django.db import close_old_connections, connection  # noqa: E402
from django.test.client import RequestFactory  # noqa: E402

from accounts.models import User  # noqa: E402

AREAS = [  # (area, substrings of a function's file) for the split by own time
    ("templates", ("django/template/", "templatetags", "django/utils/html.py")),
    ("database", ("django/db/", "psycopg")),
    ("cache", ("django/core/cache", "redis/", "hub/cache.py", "pickle")),
    ("strawberry/graphql", ("strawberry", "graphql/")),
    ("rest framework", ("rest_framework",)),
    ("middleware", ("middleware", "hub/page_cache.py", "hub/http_cache.py", "hub/metrics")),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument(
        "--as", dest="who", default="anon", help="anon, learner, mentor, learner-token, ..."
    )
    parser.add_argument("-n", type=int, default=100, help="requests profiled")
    parser.add_argument(
        "--graphql-thread",
        type=int,
        metavar="QUESTION_ID",
        help="POST bench/run.py's GraphQL thread query for this question to the path",
    )
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--dump", metavar="FILE", help="also write the profile to FILE (pstats, for callers)"
    )
    args = parser.parse_args()

    from bench.run import api_token, session_cookie  # the same credentials as make bench

    headers: dict[str, str] = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd"}
    role = args.who.removesuffix("-token")
    if role != "anon":
        from bench import pages

        handle = "bench-001" if role == "mentor" else f"bench-{pages.N_MENTORS:03d}"
        user = User.objects.get(handle=handle)
        if args.who.endswith("-token"):
            headers["HTTP_AUTHORIZATION"] = f"Bearer {api_token(user)}"
        else:
            headers["HTTP_COOKIE"] = session_cookie(user)

    from hub.wsgi import application as handler  # what gunicorn serves (kept pages first)

    factory = RequestFactory()
    status: list[str] = []

    post_body = None
    if args.graphql_thread:
        import base64
        import json

        from bench.run import THREAD_QUERY

        global_id = base64.b64encode(f"Question:{args.graphql_thread}".encode()).decode()
        post_body = json.dumps({"query": THREAD_QUERY, "variables": {"id": global_id}})

    def once() -> bytes:
        close_old_connections()
        if post_body is None:
            environ = factory.get(args.path, **headers).environ
        else:
            environ = factory.post(
                args.path, post_body, content_type="application/json", **headers
            ).environ
        body = b"".join(handler(environ, lambda s, h: status.append(s)))
        if not status[-1].startswith("200"):
            raise SystemExit(f"{args.path} answered {status[-1]}")
        return body

    for _ in range(5):
        once()
    captured: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((time.perf_counter() - started, sql))

    # (Not CaptureQueriesContext: request_started resets the connection's query log.)
    with connection.execute_wrapper(timed):
        body = once()
    started = time.process_time()
    wall = time.perf_counter()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.n):
        once()
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    cpu_ms = (time.process_time() - started) / args.n * 1000
    wall_ms = (time.perf_counter() - wall) / args.n * 1000
    sql_ms = sum(t for t, _ in captured) * 1000
    print(
        f"{args.path} as {args.who}: {len(body) / 1024:.0f} KB, {cpu_ms:.1f} ms CPU and "
        f"{wall_ms:.1f} ms wall per request under cProfile; {len(captured)} SQL "
        f"({sql_ms:.1f} ms wall in one request):"
    )
    for seconds, sql in captured:
        print(
            f"  {seconds * 1000:6.1f} ms  {sql[:160]}"
            + (f" ... {sql[-140:]}" if len(sql) > 300 else "")
        )

    stats = pstats.Stats(profiler)
    total = sum(v[2] for v in stats.stats.values())  # own time of every function
    split = dict.fromkeys([a for a, _ in AREAS] + ["other"], 0.0)
    for (filename, _line, _name), value in stats.stats.items():
        area = next((a for a, parts in AREAS if any(p in filename for p in parts)), "other")
        split[area] += value[2]
    print("\nown time by area: " + ", ".join(f"{a} {t / total:.0%}" for a, t in split.items()))
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
