"""`make bench`: every main page against the framework's own floor, in one run, one table.

Not a test: it prints figures. Run it from the project folder:

    .venv/bin/python bench/run.py                          # or: make bench
    .venv/bin/python bench/run.py --duration 3 --rows home,question --no-live

The production form on this machine: PostgreSQL (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/nexus_bench_big, created if missing), the real Redis
(REDIS_URL, default redis://127.0.0.1:6379/6) for the cache, gunicorn with 2 sync workers
(`--no-control-socket`) for pages, DEBUG off and a random secret. The data set is seeded once
with bulk inserts by bench/pages.py's seeder at a larger size (50,000 questions, 200,000
answers, 5,000 people) plus 2,000 published projects, and reused when present.

Rows, each measured with wrk (`-t1 -c8`, --duration seconds after a warm-up, the workers
idle between rows):
    floor-bare     a hello-world Django view called without middleware or URL routing
                   (bench/wsgi.py), same server
    floor-mw       the same view (/healthz) through the full middleware stack and the URL
                   resolver
    every main page, anonymous / learner / mentor (session cookies of seeded people)

Per row: requests/s, p50/p99 from wrk, SQL queries of one request and the cache hit rate of
one warm request (the X-Nexus-Queries / X-Nexus-Cache headers that hub.metrics adds when
NEXUS_METRICS_HEADERS is on, as it is here), and requests/s as a percentage of floor-bare.
Then bench/live.py's fan-out at 100 and 1,000 clients beside its bare forwarding consumer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nexus_bench_big"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"
N_PROJECTS = 2_000
LIVE_SCENARIOS = ["--scenarios", "nexus-core-w1,floor-core-w1"]

os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
REDIS_URL = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)

from bench import pages, serve  # noqa: E402  (pages sets up Django: DEBUG off)

pages.N_USERS = 5_000
pages.N_MENTORS = 250
pages.N_QUESTIONS = 50_000
pages.N_ANSWERS = 200_000

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402


def ensure_database() -> None:
    name = settings.DATABASES["default"]["NAME"]
    try:
        connection.ensure_connection()
    except Exception:
        dsn = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        print(f"created database {name} ({dsn})")


def seed_projects() -> None:
    from projects.models import Project, State

    authors = list(User.objects.filter(email__endswith="@" + pages.BENCH_EMAIL_DOMAIN)[:2000])
    if Project.objects.filter(author__in=authors).count() >= N_PROJECTS:
        return
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        Project.objects.bulk_create(
            [
                Project(
                    author=authors[i % len(authors)],
                    title=f"Bench project {i}: a REST API with caching",
                    pitch="A Django service with Redis caching, Celery tasks and a CI pipeline.",
                    description="It has **tests**, a Dockerfile and a README.",
                    description_html="<p>It has <strong>tests</strong>, a Dockerfile and a "
                    "README.</p>",
                    repository_url=f"https://github.com/bench/project-{i}",
                    state=State.PUBLISHED,
                    published_at=now,
                    listed_at=now - timezone.timedelta(minutes=i),
                )
                for i in range(N_PROJECTS)
            ],
            batch_size=1000,
        )
    print(f"seeded {N_PROJECTS} projects in {time.perf_counter() - started:.1f} s")


def session_cookie(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def probe(port: int, path: str, cookie: str | None) -> tuple[int, str, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                response.headers.get("X-Nexus-Queries", "-"),
                response.headers.get("X-Nexus-Cache", "-"),
            )
    except urllib.error.HTTPError as error:
        return error.code, "-", "-"


def hit_rate(header: str) -> str:
    if "/" not in header:
        return "-"
    hits, lookups = (int(n) for n in header.split("/"))
    return f"{hits / lookups:.0%}" if lookups else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per row")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rows", default="", help="only rows whose label contains these")
    parser.add_argument("--no-live", action="store_true", help="skip bench/live.py")
    parser.add_argument("--seed-only", action="store_true", help="prepare the data set, stop")
    args = parser.parse_args()

    ensure_database()
    started = time.perf_counter()
    pages.prepare()
    seed_projects()
    print(f"data set ready in {time.perf_counter() - started:.0f} s", flush=True)
    if args.seed_only:
        return 0

    from discussions.models import Question
    from projects.models import Project

    big = pages.bench_questions().get(answer_count=pages.BIG_ANSWERS)
    learner = User.objects.get(handle=f"bench-{pages.N_MENTORS:03d}")
    mentor = User.objects.get(handle="bench-001")
    project = Project.objects.filter(title__startswith="Bench project").order_by("pk").first()
    cookies = {"anon": None, "learner": session_cookie(learner), "mentor": session_cookie(mentor)}
    topic = Question.objects.filter(pk=big.pk).values_list("category__slug", flat=True)[0]

    main_pages = [
        ("home", "/"),
        ("questions", "/questions/"),
        ("topic", f"/questions/?category={topic}"),
        ("question-50", big.get_absolute_url()),
        ("search", "/search/?q=django"),
        ("projects", "/projects/"),
        ("project", project.get_absolute_url() if project else "/projects/"),
        ("notifications", "/notifications/"),
        ("queue", "/mod/"),
        ("log", "/mod/log/"),
        ("api-questions", "/api/v1/questions/"),
        ("api-question", f"/api/v1/questions/{big.pk}/"),
    ]
    rows = [("floor-bare", "/bench/bare", "anon"), ("floor-mw", "/healthz", "anon")]
    for label, path in main_pages:
        for who in ("anon", "learner", "mentor"):
            rows.append((f"{label}:{who}", path, who))
    if args.rows:
        wanted = args.rows.split(",")
        rows = [r for r in rows if r[0].startswith("floor") or any(w in r[0] for w in wanted)]

    env = serve.bench_env()
    env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=REDIS_URL,
        NEXUS_METRICS_HEADERS="true",
        DJANGO_SETTINGS_MODULE="hub.settings",
    )
    env["DJANGO_DEBUG"] = "false"
    server = serve.Server("wsgi", env, 2, app="bench.wsgi:application")
    results = []
    try:
        server.wait_ready(180)
        for label, path, who in rows:
            cookie = cookies[who]
            status, _, _ = probe(server.port, path, cookie)  # fills the cache
            if status != 200:
                results.append((label, path, None, status, "-", "-"))
                print(f"  {label:<22} {path} answered {status}: skipped", flush=True)
                continue
            status, queries, cache_header = probe(server.port, path, cookie)
            headers = [f"Cookie: {cookie}"] if cookie else []
            serve.wait_idle(server, 1.0)
            print(f"  {label:<22} ...", flush=True)
            result = serve.load_wrk(
                server.port, path, args.duration, args.concurrency, headers=headers
            )
            results.append((label, path, result, status, queries, hit_rate(cache_header)))
            serve.wait_idle(server, 1.0)
    finally:
        server.stop()

    floor = next((r[2].rps for r in results if r[0] == "floor-bare" and r[2]), None)
    print()
    print(
        f"make bench: gunicorn 2 sync workers, wrk -t1 -c{args.concurrency}, {args.duration:g} s "
        f"per row, PostgreSQL {settings.DATABASES['default']['NAME']}, Redis cache, DEBUG off, "
        f"{os.cpu_count()} CPUs shared by server, database, Redis and wrk; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    header = (
        f"{'row':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'SQL':>6}{'cache':>7}"
        f"{'% floor':>9}{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, _path, result, status, queries, rate in results:
        if result is None:
            print(f"{label:<24}{'HTTP ' + str(status):>9}")
            continue
        share = f"{result.rps / floor:.1%}" if floor else "-"
        print(
            f"{label:<24}{result.rps:>9.0f}{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}"
            f"{queries:>6}{rate:>7}{share:>9}{result.errors:>8}"
        )

    if not args.no_live:
        print("\nLive fan-out (bench/live.py, 100 and 1,000 clients):", flush=True)
        subprocess.run(
            [sys.executable, "bench/live.py", "--clients", "100,1000", *LIVE_SCENARIOS],
            cwd=BASE_DIR,
            env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            check=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
