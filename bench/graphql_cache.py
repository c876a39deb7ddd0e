"""The GraphQL result cache (hub/graphql_cache.py) in-process: bench/run.py's thread query
(a question with 50 answers, their authors and comments) through django.test.Client, as a
visitor and as a signed-in learner, without the result cache (its `execute` bypassed, every
other cache as usual) and with it (the first request fills it; the rest are hits).

Not a test: it prints figures. Against a database of your own (it migrates it and adds one
50-answer thread once) and Redis, from the project folder:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nexus_x REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/graphql_cache.py [requests per row, default 200]

Prints the median and p99 in ms, and the SQL queries of one request.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-graphql-cache-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("NEXUS_ALLOW_LOOPBACK_BASE_URL", "true")
os.environ.setdefault("NEXUS_NOTIFICATION_EMAILS", "false")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ.setdefault("GRAPHQL_COST_BUDGET_PER_MINUTE", "1000000000")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from bench.queries import THREAD_QUERY  # noqa: E402
from discussions import services  # noqa: E402
from discussions.models import Question  # noqa: E402
from hub import graphql_cache  # noqa: E402
from hub.tests.gql import gid  # noqa: E402

THREAD = THREAD_QUERY
TITLE = "Benchmark: how do I keep a whole GraphQL result in Redis?"


def user(handle: str, role: str = Role.LEARNER) -> User:
    found = User.objects.filter(handle=handle).first()
    if found is None:
        found = User.objects.create_user(
            email=f"{handle}@bench.example", password="bench-pass-1234", handle=handle, role=role
        )
    return found


def thread() -> Question:
    found = Question.objects.filter(title=TITLE).first()
    if found is not None:
        return found
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }
    asker = user("gqlb-asker")
    people = [user(f"gqlb-{i:02d}", Role.MENTOR if i % 5 == 0 else Role.LEARNER) for i in range(10)]
    category = services.category_ensure(slug="bench-graphql", name="Bench GraphQL")
    question = services.question_create(
        author=asker, title=TITLE, body="With **exact** invalidation.", category=category
    )
    for i in range(50):
        answer = services.answer_create(
            author=people[i % 10],
            question=question,
            body=f"Answer {i}: keep it keyed on the viewer, with `code` and *emphasis*.",
        )
        services.comment_create(author=asker, body=f"Thanks for answer {i}.", answer=answer)
    return question


def once(client: Client, body: str) -> float:
    close_old_connections()
    started = time.perf_counter()
    response = client.post("/graphql/", body, content_type="application/json")
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or b'"errors"' in response.content:
        raise SystemExit(f"answered {response.status_code}: {response.content[:300]!r}")
    return elapsed


def measure(client: Client, body: str, n: int) -> tuple[float, float, int]:
    for _ in range(5):
        once(client, body)
    times = sorted(once(client, body) for _ in range(n))
    with CaptureQueriesContext(connection) as queries:
        once(client, body)
    p99 = statistics.quantiles(times, n=100, method="inclusive")[98]
    return statistics.median(times) * 1000, p99 * 1000, len(queries)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    call_command("migrate", "--no-input", verbosity=0)
    question = thread()
    body = json.dumps({"query": THREAD, "variables": {"id": gid("Question", question.pk)}})
    learner = user("gqlb-reader")
    db = connection.settings_dict
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"database {connection.vendor} {db['NAME']}, cache {cache}; {n} requests per row")
    print(f"{'row':42} {'median ms':>10} {'p99 ms':>8} {'SQL':>4}")
    real = graphql_cache.execute
    for cached in (False, True):
        graphql_cache.execute = real if cached else (lambda **kwargs: kwargs["run"]())
        for who in ("anonymous", "learner"):
            client = Client()
            if who == "learner":
                client.force_login(learner)
            median, p99, queries = measure(client, body, n)
            label = f"thread query, {who}, {'result cache' if cached else 'no result cache'}"
            print(f"{label:42} {median:10.2f} {p99:8.2f} {queries:4d}")
    graphql_cache.execute = real


if __name__ == "__main__":
    main()
