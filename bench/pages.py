"""Page benchmark: server-side time of the question pages on a forum of realistic size.

Not a test: it prints figures. Run it from the project folder:

    .venv/bin/python bench/pages.py                       # or: make bench-pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nexus_bench .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --requests 100 --profile question-anon

It uses the database DATABASE_URL names (without one, a throw-away SQLite file in /tmp, never
the project's db.sqlite3), migrates it, and seeds it once (idempotent: a second run finds the
bench questions and reuses them): 20,000 questions, 60,000 answers (0-5 on most questions, one
question with exactly 50), comments, votes, follows, revisions and tags over the 10 program
categories and 200 people, spread over a year. The figures that matter are PostgreSQL's.

Each page is requested in-process through Django's test client (no network, no server: the
time is what Django spends, from the request object to the rendered response), with DEBUG off,
the manifest static storage and a persistent database connection, as production loads them.
Before each request the script does what a WSGI server's request_started signal does
(close_old_connections), so the connection health check runs as it would in production.
Per page it prints p50 / p99 / max in milliseconds, the number of SQL queries and the size of
the response; then EXPLAIN of the list queries. The aim: every page's p99 under 50 ms on
PostgreSQL, and deep list pages as fast as the first.

--profile LABEL runs that page (labels as printed) under cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import secrets
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

N_USERS = 200
N_MENTORS = 20
N_QUESTIONS = 20_000
N_ANSWERS = 60_000
BIG_ANSWERS = 50
DEEP_OFFSET = 10_000
BENCH_EMAIL_DOMAIN = "bench.nexus.invalid"
SEED = 20261127
AIM_MS = 50.0


def configure_environment() -> None:
    """Production-like settings: DEBUG off, a random secret, no service but the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/nexus-bench-pages.sqlite3")
    # "false", not unset: the ignored .env that `make run` writes must not turn DEBUG on.
    os.environ["DJANGO_DEBUG"] = "false"
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "DJANGO_HTTPS"):
        os.environ.pop(name, None)
    if not os.environ.get("DJANGO_SECRET_KEY") or os.environ["DJANGO_SECRET_KEY"].startswith(
        "django-insecure-"
    ):
        os.environ["DJANGO_SECRET_KEY"] = "bench-" + secrets.token_urlsafe(48)
    hosts = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
    if "testserver" not in hosts:
        os.environ["DJANGO_ALLOWED_HOSTS"] = ",".join([*hosts, "testserver"])
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    # Served on this machine only: its loopback address in (unsent) emails is meant.
    os.environ["NEXUS_ALLOW_LOOPBACK_BASE_URL"] = "true"


configure_environment()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from discussions import demo, demo_content, selectors  # noqa: E402
from discussions.models import (  # noqa: E402
    Answer,
    Comment,
    Follow,
    PostKind,
    Question,
    Revision,
    Tag,
    Vote,
)
from discussions.services import _excerpt  # noqa: E402
from hub.keyset import cursor_encode  # noqa: E402
from hub.markdown import render_markdown  # noqa: E402

# --- Seeding -------------------------------------------------------------------------------


def bench_questions():
    return Question.objects.filter(author__email__endswith="@" + BENCH_EMAIL_DOMAIN)


def _answer_counts(rng: random.Random) -> list[int]:
    """Answers per question: most 0-5, a few more, one question with exactly BIG_ANSWERS;
    N_ANSWERS in all."""
    values, weights = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10], [12, 14, 17, 17, 14, 11, 6, 4, 3, 2]
    counts = rng.choices(values, weights, k=N_QUESTIONS - 1)
    diff = N_ANSWERS - BIG_ANSWERS - sum(counts)
    while diff:
        i = rng.randrange(len(counts))
        if diff > 0 and counts[i] < 10:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 0:
            counts[i] -= 1
            diff += 1
    return [BIG_ANSWERS, *counts]


def _score(rng: random.Random, kind: str) -> int:
    if kind == "question":
        return rng.choices([0, 1, 2, 3, 5, 8, 13, 25], [40, 20, 13, 9, 8, 5, 3, 2])[0]
    return rng.choices([0, 1, 2, 3, 5, 9, 15], [50, 25, 12, 6, 4, 2, 1])[0]


def _later(rng: random.Random, start: datetime, now: datetime, mean_hours: float) -> datetime:
    """A moment after `start`, typically hours later, never later than a minute ago."""
    moment = start + timedelta(hours=rng.expovariate(1 / mean_hours) + 0.05)
    return min(moment, now - timedelta(minutes=1))


def seed() -> None:
    """The fixture. It writes with bulk_create (this is a benchmark fixture, not a write path:
    going through the services would take an hour), but leaves every row as the services
    would: body_html and excerpt rendered by the one renderer, answer/comment counts, scores
    matching the Vote rows, has_mentor_answer, accepted answers, last_activity_at, follows,
    first revisions and (on PostgreSQL) search_vector with the services' expression."""
    rng = random.Random(SEED)
    now = timezone.now()
    categories = {c.slug: c for c in demo.seed_categories()}

    # Every distinct body is rendered once (by the real renderer) and reused.
    def rendered(body: str) -> tuple[str, str]:
        result = render_markdown(body)
        return result.html, result.text

    templates = []
    for q in demo_content.QUESTIONS:
        html, text = rendered(q.body)
        templates.append((q, html, _excerpt(text)))
    answer_bodies = [
        (a.body, rendered(a.body)[0]) for q in demo_content.QUESTIONS for a in q.answers
    ]
    comment_bodies = [
        (c.body, rendered(c.body)[0])
        for q in demo_content.QUESTIONS
        for c in (*q.comments, *(c for a in q.answers for c in a.comments))
    ]

    password = "!" + secrets.token_urlsafe(30)  # unusable, as set_unusable_password() makes
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench-{i:03d}@{BENCH_EMAIL_DOMAIN}",
                handle=f"bench-{i:03d}",
                display_name=f"Bench Person {i}",
                role=Role.MENTOR if i < N_MENTORS else Role.LEARNER,
                password=password,
                date_joined=now - timedelta(days=400),
            )
            for i in range(N_USERS)
        ]
    )
    mentors, learners = users[:N_MENTORS], users[N_MENTORS:]
    # The viewers the script signs in as: they never write, so every control shows.
    writers_learners = learners[2:]

    tag_names = sorted({t for q in demo_content.QUESTIONS for t in q.tags})
    Tag.objects.bulk_create([Tag(name=n) for n in tag_names], ignore_conflicts=True)
    tags = dict(Tag.objects.filter(name__in=tag_names).values_list("name", "pk"))

    counts = _answer_counts(rng)
    questions: list[Question] = []
    q_tags: list[tuple[int, list[str]]] = []
    for i in range(N_QUESTIONS):
        template, html, excerpt = templates[i % len(templates)]
        created = now - timedelta(seconds=rng.uniform(2 * 3600, 365 * 86400))
        questions.append(
            Question(
                author=rng.choice(writers_learners if rng.random() < 0.9 else mentors),
                category=categories[template.category],
                title=template.title,
                body=template.body,
                body_html=html,
                excerpt=excerpt,
                created_at=created,
                last_activity_at=created,
                score=_score(rng, "question"),
            )
        )
        q_tags.append((i, list(template.tags)))
    # The big question: recent, so it sits on the first page too.
    questions[0].created_at = questions[0].last_activity_at = now - timedelta(days=3)

    answers: list[Answer] = []
    for question, n in zip(questions, counts, strict=True):
        for _ in range(n):
            author = rng.choice(mentors if rng.random() < 0.25 else writers_learners)
            body, html = rng.choice(answer_bodies)
            created = _later(rng, question.created_at, now, 20)
            answers.append(
                Answer(
                    question=question,
                    author=author,
                    body=body,
                    body_html=html,
                    created_at=created,
                    by_mentor=author.is_mentor,
                    score=_score(rng, "answer"),
                )
            )
            question.answer_count += 1
            question.has_mentor_answer |= author.is_mentor
            question.last_activity_at = max(question.last_activity_at, created)

    comments: list[Comment] = []

    def comment_on(post: Question | Answer, question: Question) -> None:
        body, html = rng.choice(comment_bodies)
        created = _later(rng, post.created_at, now, 10)
        comments.append(
            Comment(
                question=post if isinstance(post, Question) else None,
                answer=post if isinstance(post, Answer) else None,
                author=rng.choice(users),
                body=body,
                body_html=html,
                created_at=created,
            )
        )
        post.comment_count += 1
        question.last_activity_at = max(question.last_activity_at, created)

    by_question: dict[int, list[Answer]] = {}
    for answer in answers:
        by_question.setdefault(id(answer.question), []).append(answer)
    for question in questions:
        for _ in range(rng.choices([0, 1, 2], [75, 18, 7])[0]):
            comment_on(question, question)
        for answer in by_question.get(id(question), []):
            for _ in range(rng.choices([0, 1, 2, 3], [80, 12, 6, 2])[0]):
                comment_on(answer, question)
    for _ in range(4):  # the big question's own discussion
        comment_on(questions[0], questions[0])

    # Everything is planned in memory with its counters; now the rows (bulk_create takes
    # the foreign keys from the related objects once those have their ids).
    Question.objects.bulk_create(questions, batch_size=2000)
    Question.tags.through.objects.bulk_create(
        [
            Question.tags.through(question_id=questions[i].pk, tag_id=tags[name])
            for i, names in q_tags
            for name in names
        ],
        batch_size=5000,
    )
    Answer.objects.bulk_create(answers, batch_size=2000)
    Comment.objects.bulk_create(comments, batch_size=2000)

    # Accepted answers: the big one and about a third of the answered questions.
    accepted = []
    for question in questions:
        candidates = by_question.get(id(question))
        if candidates and (question is questions[0] or rng.random() < 0.35):
            question.accepted_answer = rng.choice(candidates)
            accepted.append(question)
    Question.objects.bulk_update(accepted, ["accepted_answer"], batch_size=500)

    # Votes: exactly `score` distinct voters per post, never its author.
    votes: list[Vote] = []
    for post in (*questions, *answers):
        if not post.score:
            continue
        voters = rng.sample(users, post.score + 1)
        voters = [u for u in voters if u.pk != post.author_id][: post.score]
        field = "question" if isinstance(post, Question) else "answer"
        when = _later(rng, post.created_at, now, 48)
        votes.extend(Vote(user=u, created_at=when, **{field: post}) for u in voters)
    Vote.objects.bulk_create(votes, batch_size=5000)

    # Follows: the asker and every answerer, as the services make them.
    follows = {(q.author_id, q.pk, q.created_at) for q in questions}
    follows |= {(a.author_id, a.question_id, a.question.created_at) for a in answers}
    seen: set[tuple[int, int]] = set()
    follow_rows = []
    for user_id, question_id, when in sorted(follows, key=lambda f: f[2]):
        if (user_id, question_id) not in seen:
            seen.add((user_id, question_id))
            follow_rows.append(Follow(user_id=user_id, question_id=question_id, created_at=when))
    Follow.objects.bulk_create(follow_rows, batch_size=5000)

    # The first revision of every post.
    revisions = [
        Revision(
            kind=PostKind.QUESTION,
            post_id=q.pk,
            number=1,
            editor_id=q.author_id,
            title=q.title,
            body=q.body,
            created_at=q.created_at,
        )
        for q in questions
    ]
    revisions += [
        Revision(
            kind=kind,
            post_id=p.pk,
            number=1,
            editor_id=p.author_id,
            body=p.body,
            created_at=p.created_at,
        )
        for kind, posts in ((PostKind.ANSWER, answers), (PostKind.COMMENT, comments))
        for p in posts
    ]
    Revision.objects.bulk_create(revisions, batch_size=5000)

    if connection.vendor == "postgresql":
        # The same vector as discussions.services._search_index, for every question at once.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO discussions_questionsearch (question_id, score, search_vector) "
                "SELECT id, score, setweight(to_tsvector('english', title), 'A') || "
                "setweight(to_tsvector('english', COALESCE((SELECT string_agg(t.name, ' ') "
                "FROM discussions_question_tags qt JOIN discussions_tag t ON t.id = qt.tag_id "
                "WHERE qt.question_id = q.id), '')), 'B') || "
                "setweight(to_tsvector('english', body), 'B') "
                "FROM discussions_question q WHERE NOT is_deleted "
                "ON CONFLICT (question_id) DO UPDATE SET search_vector = EXCLUDED.search_vector, "
                "score = EXCLUDED.score"
            )
    print(
        f"  {len(users)} people, {len(questions)} questions, {len(answers)} answers, "
        f"{len(comments)} comments, {len(votes)} votes, {len(follow_rows)} follows, "
        f"{len(revisions)} revisions"
    )


def prepare() -> None:
    started = time.perf_counter()
    call_command("migrate", "--no-input", verbosity=0)
    # DEBUG off means the manifest static storage: templates need collectstatic's manifest
    # (written to the ignored staticfiles/, as bench/serve.py does).
    call_command("collectstatic", "--no-input", verbosity=0)
    print(f"migrate + collectstatic: {time.perf_counter() - started:.1f} s")
    existing = bench_questions().count()
    if existing >= N_QUESTIONS:
        print(f"already seeded ({existing} bench questions): reusing them")
        return
    if existing:
        sys.exit(
            f"{existing} bench questions found, expected {N_QUESTIONS}: "
            "drop and recreate the bench database."
        )
    print(f"seeding {N_QUESTIONS} questions, {N_ANSWERS} answers ...", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        seed()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.1f} s")


# --- Measuring -----------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return seconds * 1000


class Page:
    def __init__(self, label: str, path: str, client: Client, headers: dict | None = None):
        self.label, self.path, self.client, self.headers = label, path, client, headers or {}

    def get(self):
        response = self.client.get(self.path, headers=self.headers)
        if response.status_code != 200:
            raise SystemExit(f"{self.label}: {self.path} answered {response.status_code}")
        return response


def request_once(page: Page) -> float:
    close_old_connections()  # what request_started does under a real WSGI server
    started = time.perf_counter()
    page.get()
    return time.perf_counter() - started


def measure(page: Page, requests: int, budget_s: float) -> dict:
    warm = [request_once(page) for _ in range(5)]
    # Fewer requests for slow pages, so the run keeps to its time budget.
    n = max(30, min(requests, int(budget_s / max(statistics.median(warm), 1e-6))))
    times = sorted(request_once(page) for _ in range(n))
    with CaptureQueriesContext(connection) as queries:
        response = page.get()
    return {
        "n": n,
        "p50": ms(statistics.median(times)),
        "p99": ms(statistics.quantiles(times, n=100, method="inclusive")[98]),
        "max": ms(times[-1]),
        "queries": len(queries),
        "kb": len(response.content) / 1024,
        "sql": [q["sql"] for q in queries.captured_queries],
    }


def list_query(sql: list[str]) -> str | None:
    for statement in sql:
        if 'FROM "discussions_question"' in statement and "ORDER BY" in statement:
            return statement
    return None


def explain(label: str, statement: str | None) -> None:
    if statement is None:
        print(f"-- {label}: no list query captured")
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) " + statement)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + statement)
        rows = cursor.fetchall()
    print(f"-- {label}")
    for row in rows:
        line = row[0] if connection.vendor == "postgresql" else row[-1]
        print(f"   {line}")


def profile(page: Page, requests: int) -> None:
    for _ in range(5):
        page.get()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        close_old_connections()
        page.get()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    print(f"\ncProfile of {page.label} ({page.path}), {requests} requests, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page (max)")
    parser.add_argument("--budget", type=float, default=8.0, help="seconds per page (max)")
    parser.add_argument("--search", default="django", help="the search words")
    parser.add_argument("--profile", metavar="LABEL", help="profile one page (label as printed)")
    args = parser.parse_args()

    db = connection.settings_dict
    print(f"database: {connection.vendor} {db['NAME']} (CONN_MAX_AGE={db['CONN_MAX_AGE']})")
    prepare()

    big = bench_questions().get(answer_count=BIG_ANSWERS)
    learner = User.objects.get(handle=f"bench-{N_MENTORS:03d}")
    mentor = User.objects.get(handle="bench-001")
    visible = selectors.questions_visible_to(None).order_by("-last_activity_at", "-pk")
    deep_value, deep_pk = visible.values_list("last_activity_at", "pk")[DEEP_OFFSET - 1]
    deep = cursor_encode(deep_value, deep_pk)

    anon, as_learner, as_mentor = Client(), Client(), Client()
    as_learner.force_login(learner)
    as_mentor.force_login(mentor)
    url = big.get_absolute_url()
    htmx = {"HX-Request": "true"}
    pages = [
        Page("list", "/questions/", anon),
        Page("list-deep", f"/questions/?after={deep}", anon),
        Page("list-deep-htmx", f"/questions/?after={deep}", anon, htmx),
        Page("list-category", "/questions/?category=django", anon),
        Page("home-anon", "/", anon),
        Page("home-learner", "/", as_learner),
        Page("question-anon", url, anon),
        Page("question-learner", url, as_learner),
        Page("question-mentor", url, as_mentor),
        Page("search", f"/search/?q={args.search}", anon),
        # The mentors' queue: counts, the 30-day response-time medians, each tab; the log.
        Page("mod-queue", "/mod/", as_mentor),
        Page("mod-waiting", "/mod/?tab=waiting", as_mentor),
        Page("mod-log", "/mod/log/", as_mentor),
    ]
    if args.profile:
        chosen = [p for p in pages if p.label == args.profile]
        if not chosen:
            sys.exit(f"no page {args.profile!r}; pages: {', '.join(p.label for p in pages)}")
        profile(chosen[0], min(args.requests, 100))
        return

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM discussions_questionsearch WHERE search_vector @@ "
                "websearch_to_tsquery('english', %s)",
                [args.search],
            )
            matches = cursor.fetchone()[0]
    else:
        matches = selectors.questions_visible_to(None).filter(body__icontains=args.search).count()
    print(
        f"deep cursor: row {DEEP_OFFSET} of the active order; search {args.search!r} "
        f"matches ~{matches} questions; question page: {url} ({BIG_ANSWERS} answers)\n"
    )

    results = {}
    header = f"{'page':<18}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'queries':>9}{'KB':>7}"
    print(header)
    print("-" * len(header))
    for page in pages:
        r = results[page.label] = measure(page, args.requests, args.budget)
        mark = "" if r["p99"] < AIM_MS else "  > aim"
        print(
            f"{page.label:<18}{r['n']:>5}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}"
            f"{r['queries']:>9}{r['kb']:>7.0f}{mark}"
        )
    missed = [label for label, r in results.items() if r["p99"] >= AIM_MS]
    print(
        f"\naim p99 < {AIM_MS:.0f} ms: "
        + ("met by every page" if not missed else f"missed by {', '.join(missed)}")
    )
    ratio = results["list-deep"]["p50"] / results["list"]["p50"]
    print(f"deep list p50 / first page p50: {ratio:.2f}\n")

    explain("list, first page", list_query(results["list"]["sql"]))
    explain(f"list, deep page (after row {DEEP_OFFSET})", list_query(results["list-deep"]["sql"]))
    explain("list, category", list_query(results["list-category"]["sql"]))
    search_sql = [s for s in results["search"]["sql"] if "discussions_question" in s]
    if search_sql:
        explain("search", search_sql[-1])


if __name__ == "__main__":
    main()
