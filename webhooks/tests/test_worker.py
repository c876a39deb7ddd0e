"""Deliveries through a real Celery worker on RabbitMQ (marker broker): a receiver that
fails twice then recovers gets exactly one success, the retries wait in the broker with
back-off, and the run is on record in ops with its attempts and last error."""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection

from discussions.tests import factories as forum
from notifications.tests.test_broker import worker_started
from ops.models import RunState, TaskRun
from webhooks.models import Delivery, DeliveryState
from webhooks.tests.conftest import RECEIVER_HOST
from webhooks.tests.factories import webhook

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="needs a real broker: set CELERY_BROKER_URL (and DATABASE_URL) to run",
    ),
    pytest.mark.django_db(transaction=True),
]

# The worker's own settings: the receiver's name resolves to 127.0.0.1 there too, and
# loopback is allowed; back-off from a 1 s base (whole seconds: 1 s, then 1-2 s).
WORKER_WEBHOOKS = f"""
import socket as _socket
_real_getaddrinfo = _socket.getaddrinfo
def _getaddrinfo(host, port, *args, **kwargs):
    if host == {RECEIVER_HOST!r}:
        address = ("127.0.0.1", port)
        return [(_socket.AF_INET, _socket.SOCK_STREAM, _socket.IPPROTO_TCP, "", address)]
    return _real_getaddrinfo(host, port, *args, **kwargs)
_socket.getaddrinfo = _getaddrinfo
NEXUS_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
NEXUS_WEBHOOK_RETRY_BASE = 1
"""


def test_fails_then_recovers_exactly_one_success_and_the_retries_on_record(
    tmp_path, settings, learner, mentor, receiver
):
    if connection.vendor == "sqlite":
        pytest.skip("the worker process cannot open SQLite's in-memory test database")
    receiver.statuses = [503, 502]
    hook = webhook(learner, receiver.url(RECEIVER_HOST))
    question = forum.question(learner)
    with worker_started(tmp_path, extra_settings=WORKER_WEBHOOKS) as worker:
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.NEXUS_WEBHOOK_QUEUE = worker.queue
        started = time.monotonic()
        forum.answer(mentor, question)  # commits: the delivery is queued on commit
        delivery = Delivery.objects.get(webhook=hook)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            delivery.refresh_from_db()
            run = TaskRun.objects.filter(task="webhooks.tasks.webhook_delivery_send").first()
            if (
                delivery.state == DeliveryState.SUCCEEDED
                and run
                and run.state == RunState.SUCCEEDED
            ):
                break
            time.sleep(0.3)
        else:
            pytest.fail(f"not delivered; worker log:\n{worker.output()}")
        elapsed = time.monotonic() - started
    print(
        f"\nwebhook via worker: {len(receiver.requests)} requests "
        f"({[r.status for r in receiver.requests]}), {receiver.successes} success, "
        f"run attempt {run.attempt} of {run.max_attempts}, {elapsed:.1f} s"
    )
    assert [r.status for r in receiver.requests] == [503, 502, 200]
    assert receiver.successes == 1
    assert len({r.headers["x-nexus-delivery"] for r in receiver.requests}) == 1
    assert [r.headers["x-nexus-attempt"] for r in receiver.requests] == ["1", "2", "3"]
    assert delivery.attempts == 3 and delivery.response_code == 200
    assert (run.attempt, run.max_attempts) == (3, 6)
    assert "HTTP 502" in run.last_error
    assert elapsed >= 2  # two back-offs of at least 1 s each waited in the broker
