"""CPU time per request in this process, beside the framework's floor: no server, no load
tool, no network. Not a test: it prints figures. `make bench` (bench/run.py) is the real
measurement; this one answers "what does a request cost in Python" in seconds, and because
it counts CPU time (time.process_time) it stays readable on a busy machine.

    DJANGO_SECRET_KEY=... NEXUS_BASE_URL=https://nexus.example DJANGO_ALLOWED_HOSTS=testserver \\
        .venv/bin/python bench/inprocess.py / /questions/ /projects/

Rows: floor-bare (the hello-world view called directly), floor-mw (the same view through
every middleware and the URL resolver), then each path as a visitor with the whole-page
cache on and off (hub/page_cache.py). Run `manage.py collectstatic` once first with DEBUG
off (the manifest storage needs it), against a database with data (`make run` seeds one).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest  # noqa: E402
from django.test.client import RequestFactory  # noqa: E402

from hub.views import healthz_view  # noqa: E402

handler = WSGIHandler()
factory = RequestFactory()


def cpu_us(call: Callable[[], object], n: int) -> float:
    for _ in range(max(5, n // 10)):
        call()
    started = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - started) / n * 1e6


def through_the_stack(path: str) -> Callable[[], object]:
    statuses: list[str] = []

    def call() -> bytes:
        body = b"".join(handler(factory.get(path).environ, lambda s, h: statuses.append(s)))
        if not statuses[-1].startswith("200"):
            raise SystemExit(f"{path} answered {statuses[-1]}")
        return body

    return call


def main(paths: list[str]) -> None:
    bare = cpu_us(lambda: healthz_view(WSGIRequest(factory.get("/healthz").environ)), 500)
    rows = [("floor-bare", bare), ("floor-mw /healthz", cpu_us(through_the_stack("/healthz"), 500))]
    kept = settings.NEXUS_PAGE_CACHE_SECONDS
    for path in paths:
        settings.NEXUS_PAGE_CACHE_SECONDS = kept or 30
        rows.append((f"{path} visitor, page cache", cpu_us(through_the_stack(path), 300)))
        settings.NEXUS_PAGE_CACHE_SECONDS = 0
        rows.append((f"{path} visitor, no page cache", cpu_us(through_the_stack(path), 50)))
    settings.NEXUS_PAGE_CACHE_SECONDS = kept
    print(f"{'row':40} {'µs CPU':>9} {'% of floor':>10}")
    for label, us in rows:
        print(f"{label:40} {us:9.0f} {bare / us * 100:9.1f}%")


if __name__ == "__main__":
    main(sys.argv[1:] or ["/", "/questions/"])
