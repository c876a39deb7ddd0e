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
    floor-bare-50a the bare view with a body as big as a visitor's 50-answer page as it is
                   sent, compressed (what sending that many bytes costs by itself; shown
                   beside that page)
    every main page, anonymous / learner / mentor (session cookies of seeded people)
Every request says what a browser's says about encodings (BROWSER_HEADERS), and a signed-in
one carries the CSRF cookie a browser got from the sign-in page.

Per row: requests/s, p50/p99 from wrk, SQL queries of one request and the cache hit rate of
one warm request (the X-Nexus-Queries / X-Nexus-Cache headers that hub.metrics adds when
NEXUS_METRICS_HEADERS is on, as it is here), and requests/s as a percentage of floor-bare.
Then bench/live.py's fan-out at 100 and 1,000 clients beside its bare forwarding consumer.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nexus_bench_big"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"
N_PROJECTS = 2_000
# The floor forwards the same answer fragment Nexus sends; floor-tiny a 21-byte text.
LIVE_SCENARIOS = ["--scenarios", "nexus-core-w1,floor-core-w1,floor-tiny-core-w1"]

os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
REDIS_URL = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)

from bench import pages, serve  # noqa: E402  (pages sets up Django: DEBUG off)
from bench.queries import THREAD_QUERY  # noqa: E402

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


# What a browser sends with every request: the encodings it decodes.
BROWSER_HEADERS = ["Accept-Encoding: gzip, deflate, br, zstd"]


def session_cookie(user: User, csrf: str = "") -> str:
    """The Cookie header of a browser signed in as `user`: a new session, and the CSRF
    cookie the sign-in page would have set (a new secret unless `csrf` is given)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    csrf = csrf or secrets.token_hex(16)
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def api_token(user: User) -> str:
    """A fresh personal access token (read and write, as a client would hold) made by the
    service the settings page uses; the bench tokens of earlier runs are revoked first."""
    from accounts.models import ApiToken
    from accounts.services import token_create, token_revoke

    for old in ApiToken.objects.filter(user=user, name="bench", revoked_at__isnull=True):
        token_revoke(actor=user, token=old)
    _token, raw = token_create(user=user, name="bench", scopes=["read", "write"], expires_at=None)
    return raw


def seed_guides(editor: User) -> None:
    """The guide's written articles (guides/content.py) through the loader's service."""
    from guides.models import Guide
    from guides.services import guides_load

    if Guide.objects.exists():
        return
    started = time.perf_counter()
    counts = guides_load(editor=editor)
    print(
        f"loaded {counts['guides']} guides ({counts['created']} sections) "
        f"in {time.perf_counter() - started:.1f} s"
    )


@dataclass
class Row:
    label: str
    path: str
    who: str
    body: bytes | None = None  # a POST body (the GraphQL rows)
    fresh: bool = False  # a new address per request: nobody's whole page is kept for it


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is the answer, not followed
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def probe(port: int, row: Row, headers: list[str]) -> tuple[int, str, str, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{row.path}", data=row.body)
    if row.body is not None:
        request.add_header("Content-Type", "application/json")
    for header in headers:
        name, _, value = header.partition(": ")
        request.add_header(name, value)
    try:
        with _opener.open(request, timeout=30) as response:
            return (
                response.status,
                response.headers.get("X-Nexus-Queries", "-"),
                response.headers.get("X-Nexus-Cache", "-"),
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return error.code, "-", "-", b""


def hit_rate(header: str) -> str:
    if "/" not in header:
        return "-"
    hits, lookups = (int(n) for n in header.split("/"))
    return f"{hits / lookups:.0%}" if lookups else "n/a"


def graphql_refusal(content: bytes) -> str | None:
    """Why a 200 GraphQL answer is not the thread (errors, or a null question)."""
    try:
        data = json.loads(content)
    except ValueError:
        return "not JSON"
    if data.get("errors"):
        return data["errors"][0].get("message", "error")
    if not (data.get("data") or {}).get("question"):
        return "question is null"
    return None


def targets(results: list[tuple], floor: float | None) -> list[str]:
    """Issue 16's targets, each met or missed, from this run's rows."""
    # The "-1st" rows (a person's first read) are shown beside the rows, not in them.
    measured = {
        label: result
        for label, _path, result, *_ in results
        if result is not None and not label.endswith("-1st")
    }
    lines = []

    def share(label: str) -> float | None:
        result = measured.get(label)
        return result.rps / floor if result and floor else None

    def check(name: str, labels: list[str], minimum: float) -> None:
        shares = {label: share(label) for label in labels if share(label) is not None}
        if not shares:
            lines.append(f"  {name}: not measured")
            return
        missed = {k: v for k, v in shares.items() if v < minimum}
        verdict = (
            "met"
            if not missed
            else "MISSED by "
            + ", ".join(f"{k} {v:.1%}" for k, v in sorted(missed.items(), key=lambda kv: kv[1]))
        )
        lines.append(f"  {name} (>= {minimum:.0%} of floor-bare): {verdict}")

    check("anonymous home", ["home:anon"], 0.50)
    check("50-answer question, anonymous", ["question-50:anon"], 0.40)
    sized = measured.get("floor-bare-50a")
    if sized and "question-50:anon" in measured:
        lines.append(
            "  (the 50-answer page's bytes alone: floor-bare-50a is "
            f"{sized.rps / floor:.1%} of floor-bare; question-50:anon is "
            f"{measured['question-50:anon'].rps / sized.rps:.1%} of floor-bare-50a)"
        )
    check("50-answer question, signed in", ["question-50:learner", "question-50:mentor"], 0.25)
    others = [
        label
        for label in measured
        if label.split(":")[-1] in ("learner", "mentor")
        and not label.startswith(("question-50:", "api-", "graphql"))
    ]
    check("every other signed-in page", others, 0.25)
    pages = [label for label in measured if not label.startswith("floor")]
    slow = {
        label: measured[label].server_p99_ms
        for label in pages
        if measured[label].server_p99_ms is not None and measured[label].server_p99_ms >= 50
    }
    unknown = [label for label in pages if measured[label].server_p99_ms is None]
    verdict = (
        "met"
        if not slow
        else "MISSED by "
        + ", ".join(f"{k} {v:.0f} ms" for k, v in sorted(slow.items(), key=lambda kv: -kv[1]))
    )
    if unknown:
        verdict += f" (no server time for {', '.join(unknown)})"
    lines.append(f"  every page p99 < 50 ms server-side: {verdict}")
    return lines


def doors(results: list[tuple]) -> list[str]:
    """Each API row's req/s beside the same page in HTML (and GraphQL beside both)."""
    rps = {label: result.rps for label, _path, result, *_ in results if result is not None}
    pairs = [
        ("questions", "api-questions"),
        ("question-50", "api-question-50"),
        ("question-50", "graphql-50"),
        ("projects", "api-projects"),
        ("project", "api-project"),
    ]
    lines = []
    for page, api in pairs:
        cells = []
        for who in ("anon", "learner", "mentor"):
            html = rps.get(f"{page}:{who}")
            for door in (f"{api}:{who}", f"{api}:{who}-token"):
                if html and door in rps:
                    cells.append(
                        f"{door.split(':')[1]} {rps[door]:.0f}/{html:.0f} = {rps[door] / html:.0%}"
                    )
        if cells:
            lines.append(f"  {api} / {page}: " + ", ".join(cells))
    if "graphql-50:anon" in rps and "api-question-50:anon" in rps:
        cells = [
            f"{who} {rps[f'graphql-50:{who}']:.0f}/{rps[f'api-question-50:{who}']:.0f} = "
            f"{rps[f'graphql-50:{who}'] / rps[f'api-question-50:{who}']:.0%}"
            for who in ("anon", "learner", "mentor", "learner-token", "mentor-token")
            if f"graphql-50:{who}" in rps and f"api-question-50:{who}" in rps
        ]
        lines.append("  graphql-50 / api-question-50: " + ", ".join(cells))
    return lines


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
    mentor = User.objects.get(handle="bench-001")
    seed_guides(mentor)
    print(f"data set ready in {time.perf_counter() - started:.0f} s", flush=True)
    if args.seed_only:
        return 0

    from discussions.models import Question
    from guides.models import Guide
    from projects.models import Project

    big = pages.bench_questions().get(answer_count=pages.BIG_ANSWERS)
    learner = User.objects.get(handle=f"bench-{pages.N_MENTORS:03d}")
    project = Project.objects.filter(title__startswith="Bench project").order_by("pk").first()
    guide = Guide.objects.order_by("position", "pk").first()
    csrf = secrets.token_hex(16)  # a CSRF secret (32 characters), sent as cookie and header
    credentials = {
        "anon": [],
        "learner": [f"Cookie: {session_cookie(learner, csrf)}"],
        "mentor": [f"Cookie: {session_cookie(mentor, csrf)}"],
        "learner-token": [f"Authorization: Bearer {api_token(learner)}"],
        "mentor-token": [f"Authorization: Bearer {api_token(mentor)}"],
    }
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
    ]
    if guide is not None:
        main_pages += [("guides", "/guide/"), ("guide", guide.get_absolute_url())]
    api_rows = [
        ("api-questions", "/api/v1/questions"),
        ("api-question-50", f"/api/v1/questions/{big.pk}"),
        ("api-projects", "/api/v1/projects"),
        ("api-project", f"/api/v1/projects/{project.pk}" if project else "/api/v1/projects"),
    ]
    global_id = base64.b64encode(f"Question:{big.pk}".encode()).decode()
    thread = json.dumps({"query": THREAD_QUERY, "variables": {"id": global_id}}).encode()

    rows = [Row("floor-bare", "/bench/bare", "anon"), Row("floor-mw", "/healthz", "anon")]
    # The floor with a body as big as a visitor's 50-answer page: what its bytes alone cost.
    rows.append(Row("floor-bare-50a", "/bench/bare?bytes=0", "anon"))
    for label, path in main_pages:
        rows += [Row(f"{label}:{who}", path, who) for who in ("anon", "learner", "mentor")]
        if label in ("home", "question-50"):
            # A person's first read (their own copy is not kept yet): the fragments and the
            # shared thread copy only. Not one of issue 16's rows: shown beside them.
            rows += [
                Row(f"{label}:{who}-1st", path, who, fresh=True) for who in ("learner", "mentor")
            ]
    every_door = ("anon", "learner", "mentor", "learner-token", "mentor-token")
    for label, path in api_rows:
        rows += [Row(f"{label}:{who}", path, who) for who in every_door]
    rows += [Row(f"graphql-50:{who}", "/graphql/", who, thread) for who in every_door]
    if args.rows:
        wanted = args.rows.split(",")
        rows = [r for r in rows if r.label.startswith("floor") or any(w in r.label for w in wanted)]

    env = serve.bench_env()
    env.update(
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=REDIS_URL,
        NEXUS_METRICS_HEADERS="true",
        DJANGO_SETTINGS_MODULE="hub.settings",
        # One client sends thousands of requests a minute: the API's limits still count
        # every request (DRF's sliding window, about as many entries per second as the
        # production rate keeps per minute), but never refuse one here.
        NEXUS_API_RATE_USER="1000000/s",
        NEXUS_API_RATE_ANON="1000000/s",
        GRAPHQL_COST_BUDGET_PER_MINUTE="1000000000",
    )
    env["DJANGO_DEBUG"] = "false"
    # The sessions made here are signed with this process's secret: the server needs it too
    # (with another one every session cookie is "corrupted", i.e. an anonymous visitor).
    env["DJANGO_SECRET_KEY"] = settings.SECRET_KEY
    server = serve.Server("wsgi", env, 2, app="bench.wsgi:application")
    script = str(BASE_DIR / "bench" / "wrk.lua")
    body_file = tempfile.NamedTemporaryFile(suffix=".json")  # noqa: SIM115
    body_file.write(thread)
    body_file.flush()
    results = []
    try:
        server.wait_ready(180)
        sized = Row("size", big.get_absolute_url(), "anon")
        probe(server.port, sized, BROWSER_HEADERS)  # fills the cache: the next one is sent
        big_page = probe(server.port, sized, BROWSER_HEADERS)[3]  # as it is sent (compressed)
        for row in rows:
            if row.label == "floor-bare-50a":
                row.path = f"/bench/bare?bytes={len(big_page)}"
        for row in rows:
            headers = list(credentials[row.who.removesuffix("-1st")])
            if row.body is not None and not row.who.endswith("-token"):
                # The session door (or none) of GraphQL enforces CSRF, as a form does.
                headers = headers or [f"Cookie: {settings.CSRF_COOKIE_NAME}={csrf}"]
                headers.append(f"X-CSRFToken: {csrf}")
            headers += BROWSER_HEADERS
            probe(server.port, row, headers)  # fills the cache
            status, queries, cache_header, content = probe(server.port, row, headers)
            refusal = graphql_refusal(content) if row.body is not None else None
            if status != 200 or refusal:
                results.append((row.label, row.path, None, status, "-", "-"))
                why = f"answered {status}" + (f" ({refusal})" if refusal else "")
                print(f"  {row.label:<26} {row.path} {why}: skipped", flush=True)
                continue
            serve.wait_idle(server, 1.0)
            print(f"  {row.label:<26} ...", flush=True)
            result = serve.load_wrk(
                server.port,
                row.path,
                args.duration,
                args.concurrency,
                headers=headers,
                script=script,
                env={
                    **os.environ,
                    "BENCH_BODY_FILE": body_file.name if row.body else "",
                    "BENCH_FRESH": "1" if row.fresh else "",
                },
            )
            results.append((row.label, row.path, result, status, queries, hit_rate(cache_header)))
            serve.wait_idle(server, 1.0)
    finally:
        server.stop()
        body_file.close()

    floor = next((r[2].rps for r in results if r[0] == "floor-bare" and r[2]), None)
    print()
    print(
        f"make bench: gunicorn 2 sync workers, wrk -t1 -c{args.concurrency}, {args.duration:g} s "
        f"per row, PostgreSQL {settings.DATABASES['default']['NAME']}, Redis cache, DEBUG off, "
        f"{os.cpu_count()} CPUs shared by server, database, Redis and wrk; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        "p50/p99: wrk's (the client's, queueing in the 2 workers included); srv p50/p99: "
        "inside the worker (X-Nexus-Ms). SQL and cache: one warm request."
    )
    header = (
        f"{'row':<27}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'srv p50':>8}{'srv p99':>8}"
        f"{'SQL':>5}{'cache':>7}{'% floor':>9}{'errors':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, _path, result, status, queries, rate in results:
        if result is None:
            print(f"{label:<27}{'HTTP ' + str(status):>8}")
            continue
        share = f"{result.rps / floor:.1%}" if floor else "-"
        srv50 = f"{result.server_p50_ms:.1f}" if result.server_p50_ms is not None else "-"
        srv99 = f"{result.server_p99_ms:.1f}" if result.server_p99_ms is not None else "-"
        print(
            f"{label:<27}{result.rps:>8.0f}{result.p50_ms:>8.1f}{result.p99_ms:>8.1f}"
            f"{srv50:>8}{srv99:>8}{queries:>5}{rate:>7}{share:>9}{result.errors:>7}"
        )
    print("\nTargets (issue 16):")
    print("\n".join(targets(results, floor)), flush=True)
    print("\nAPI beside its page (req/s; issue 13: each API list at least as fast as its page):")
    print("\n".join(doors(results)), flush=True)

    if not args.no_live:
        print("\nLive fan-out (bench/live.py, 100 and 1,000 clients):", flush=True)
        subprocess.run(
            [sys.executable, "bench/live.py", "--clients", "100,1000", *LIVE_SCENARIOS],
            cwd=BASE_DIR,
            env={
                **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
                # The benchmark's own Redis database (live.py flushes it before measuring).
                "BENCH_LIVE_REDIS_URL": REDIS_URL,
                # The answers it posts email their asker: to files, not into the table.
                "NEXUS_MAIL_DIR": "/tmp/nexus-bench-live-mail",
            },
            check=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
