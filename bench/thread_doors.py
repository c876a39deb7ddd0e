"""Thread benchmark for the three doors: a thread page's GraphQL query (a question with 50
answers, their authors and comments) beside the same page in HTML and through REST, on
bench/pages.py's forum of 20,000 questions. (Not named graphql.py: a script's folder comes
first on sys.path and would hide the graphql package.)

Not a test: it prints figures. Run it from the project folder:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nexus_bench \
        .venv/bin/python bench/thread_doors.py [requests per row, default 200]

Like bench/pages.py (whose seeding and settings it reuses: DEBUG off, manifest static files,
a persistent connection, no Redis), each request goes through Django in-process (no
network, no server), so the figure is what Django spends per request in one process;
requests/s is 1 / mean time for one worker. Prints p50 / p99 / max in ms, requests/s and
SQL queries per request.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import pages

THREAD = """query Thread($id: ID!) {
  question(id: $id) {
    id title bodyHtml score isAnswered viewerCanAnswer viewerHasUpvoted
    author { handle name }
    tags { name }
    comments { bodyHtml author { handle } }
    answers {
      id bodyHtml score isAccepted viewerHasUpvoted
      author { handle name isMentor }
      comments { bodyHtml author { handle } }
    }
  }
}"""


class Request:
    def __init__(self, label: str, client: Client, path: str, body: dict | None = None):
        self.label, self.client, self.path, self.body = label, client, path, body

    def send(self):
        if self.body is None:
            response = self.client.get(self.path)
        else:
            response = self.client.post(
                self.path, json.dumps(self.body), content_type="application/json"
            )
        if response.status_code != 200:
            raise SystemExit(f"{self.label}: {self.path} answered {response.status_code}")
        if self.body is not None and b'"errors"' in response.content:
            raise SystemExit(f"{self.label}: {response.content[:300]!r}")
        return response


def once(request: Request) -> float:
    close_old_connections()
    started = time.perf_counter()
    request.send()
    return time.perf_counter() - started


def measure(request: Request, n: int) -> dict:
    for _ in range(5):
        once(request)
    times = sorted(once(request) for _ in range(n))
    with CaptureQueriesContext(connection) as queries:
        response = request.send()
    return {
        "p50": pages.ms(statistics.median(times)),
        "p99": pages.ms(statistics.quantiles(times, n=100, method="inclusive")[98]),
        "max": pages.ms(times[-1]),
        "rps": 1 / statistics.mean(times),
        "queries": len(queries),
        "kb": len(response.content) / 1024,
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    db = connection.settings_dict
    print(f"database: {connection.vendor} {db['NAME']}; {n} requests each, one process")
    pages.prepare()
    big = pages.bench_questions().get(answer_count=pages.BIG_ANSWERS)
    learner = pages.User.objects.get(handle=f"bench-{pages.N_MENTORS:03d}")
    from hub.tests.gql import gid

    variables = {"id": gid("Question", big.pk)}
    rows = []
    for who, client in (("anonymous", Client()), ("learner", Client())):
        if who == "learner":
            client.force_login(learner)
        rows += [
            Request(f"HTML page ({who})", client, big.get_absolute_url()),
            Request(f"REST detail + answers ({who})", client, f"/api/v1/questions/{big.pk}"),
            Request(
                f"GraphQL thread query ({who})",
                client,
                "/graphql/",
                {"query": THREAD, "variables": variables},
            ),
        ]
    header = ("p50 ms", "p99 ms", "max ms", "req/s", "SQL", "KB")
    print(f"{'request':40} " + " ".join(f"{h:>8}" for h in header))
    for request in rows:
        r = measure(request, n)
        print(
            f"{request.label:40} {r['p50']:8.1f} {r['p99']:8.1f} {r['max']:8.1f} "
            f"{r['rps']:7.0f} {r['queries']:4d} {r['kb']:6.1f}"
        )


if __name__ == "__main__":
    main()
