"""A webhook receiver's outage as its owner would live it (marker `outage`; run by .ci/run):
the receiver is down (connection refused), then answers 503, then recovers, while a real
Celery worker delivers through the real RabbitMQ (its retries waiting in the broker).
The receiver's port is ours (NEXUS_OUTAGE_PORTS, taken from the top of the range, away
from the other drills'); nothing of the machine's is stopped. Prints the figures issue 17
asks for: deliveries after a receiver that fails then recovers (exactly 1 success,
retries logged in the delivery log and the task runs)."""

from __future__ import annotations

import os
import socket
import time

import pytest
from django.db import connection

from discussions.tests import factories as forum
from hub.tests.outage import PORT_HIGH, PORT_LOW
from notifications.tests.test_broker import worker_started
from ops.models import RunState, TaskRun
from webhooks.models import Delivery, DeliveryState
from webhooks.tests.conftest import RECEIVER_HOST
from webhooks.tests.factories import webhook
from webhooks.tests.receiver import receiver_running
from webhooks.tests.test_worker import WORKER_WEBHOOKS

pytestmark = [
    pytest.mark.outage,
    pytest.mark.broker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="needs a real broker: set CELERY_BROKER_URL (and DATABASE_URL) to run",
    ),
    pytest.mark.django_db(transaction=True),
]

REFUSED_TRIES = 2  # nothing listens until this many tries were refused
FAILING = [503]  # then it answers, overloaded, once


def port_from_the_top() -> int:
    """A free port of ours, from the top of the range (the other drills take the lowest)."""
    for port in range(PORT_HIGH, PORT_LOW - 1, -1):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_LOW}-{PORT_HIGH}")


def test_a_receiver_down_then_failing_then_back_gets_exactly_one_success(
    tmp_path, settings, learner, mentor, dns
):
    if connection.vendor == "sqlite":
        pytest.skip("the worker process cannot open SQLite's in-memory test database")
    settings.NEXUS_WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1/32"]
    dns[RECEIVER_HOST] = "127.0.0.1"
    port = port_from_the_top()
    hook = webhook(learner, f"http://{RECEIVER_HOST}:{port}/hook", ["answer.created"])
    question = forum.question(learner)
    with worker_started(tmp_path, extra_settings=WORKER_WEBHOOKS, loglevel="info") as worker:
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.NEXUS_WEBHOOK_QUEUE = worker.queue
        started = time.monotonic()
        forum.answer(mentor, question)  # commits: the delivery is queued on commit
        delivery = Delivery.objects.get(webhook=hook)
        while Delivery.objects.get(pk=delivery.pk).attempts < REFUSED_TRIES:
            if time.monotonic() - started > 90:
                pytest.fail(f"no tries while down; worker log:\n{worker.output()}")
            time.sleep(0.1)
        down = time.monotonic() - started
        with receiver_running(list(FAILING), port=port) as receiver:
            # A try may have been on its way as the receiver came up.
            refused = Delivery.objects.get(pk=delivery.pk).attempts
            back = time.monotonic()
            deadline = back + 90
            run = None
            while time.monotonic() < deadline:
                delivery.refresh_from_db()
                run = TaskRun.objects.filter(task="webhooks.tasks.webhook_delivery_send").first()
                if delivery.state == DeliveryState.SUCCEEDED and run and run.state == "succeeded":
                    break
                time.sleep(0.3)
            else:
                pytest.fail(f"not delivered; worker log:\n{worker.output()}")
            recovered = time.monotonic() - back
            time.sleep(2)  # nothing more arrives after the success
        total = time.monotonic() - started
        log = worker.output()

    delivery.refresh_from_db()
    attempts_logged = [line for line in log.splitlines() if f"delivery {delivery.uuid}" in line]
    statuses = [r.status for r in receiver.requests]
    print(
        f"\n[outage] webhook receiver down {down:.1f} s then {FAILING} then back: "
        f"{delivery.attempts} tries ({refused} refused while down, then {statuses}), "
        f"{receiver.successes} success, run attempt {run.attempt} of {run.max_attempts} "
        f"({run.state}), {len(attempts_logged)} attempts logged, delivered "
        f"{recovered:.1f} s after the receiver returned ({total:.1f} s in all)"
    )
    assert receiver.successes == 1
    assert statuses[-1] == 200 and statuses.count(200) == 1
    assert refused >= 2  # the outage was seen: tries refused while nothing listened
    assert delivery.attempts == refused + len(receiver.requests)
    assert len({r.headers["x-nexus-delivery"] for r in receiver.requests}) == 1
    assert [int(r.headers["x-nexus-attempt"]) for r in receiver.requests] == list(
        range(refused + 1, delivery.attempts + 1)
    )
    # The delivery log: delivered, with the answer and how many tries it took.
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.response_code == 200
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    # The task run: one record, retried up to the success, its last failure kept.
    assert TaskRun.objects.filter(task="webhooks.tasks.webhook_delivery_send").count() == 1
    assert run.state == RunState.SUCCEEDED
    assert (run.attempt, run.max_attempts) == (delivery.attempts, 6)
    assert run.last_error  # the last retry's reason, kept on the record
    # The worker's log has one line per try: refused ones, the 503, the success.
    assert len(attempts_logged) == delivery.attempts
    assert sum("ConnectionRefusedError" in line for line in attempts_logged) == refused
    assert any("-> retrying (HTTP 503)" in line for line in attempts_logged)
    assert attempts_logged[-1].endswith("-> succeeded")
