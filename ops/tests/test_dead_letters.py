"""Poison messages and retries on the real broker (marker broker): quorum queues with a
delivery limit and a dead-letter exchange, declared by hub.celery; countdown retries
through RabbitMQ's native delayed delivery. Each test runs a worker on a queue of its own
in this vhost (CELERY_BROKER_URL)."""

import contextlib
import os
import time
import uuid

import pytest
from django.db import connection

from hub.celery import app, dead_letter_queue, task_queue
from notifications.tests.test_broker import worker_started
from ops.models import RunState, TaskRun

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="needs a real broker: set CELERY_BROKER_URL (and DATABASE_URL) to run",
    ),
    pytest.mark.django_db(transaction=True),
]

TEST_TASKS = 'CELERY_IMPORTS = ["ops.tests.tasks"]\nNEXUS_TASK_DELIVERY_LIMIT = 2\n'


@pytest.fixture(autouse=True)
def real_worker_only(settings):
    if connection.vendor == "sqlite":
        pytest.skip("the worker process cannot open SQLite's in-memory test database")
    settings.NEXUS_TASK_DELIVERY_LIMIT = 2  # as the worker's (the queue's arguments agree)


def wait_for(predicate, timeout: float, worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := predicate()) is not None and found is not False:
            return found
        time.sleep(0.3)
    pytest.fail(f"not within {timeout} s; worker log:\n{worker.output()}")


def dead_run(task_id: str):
    return TaskRun.objects.filter(task_id=task_id, state=RunState.DEAD).first()


def test_a_queue_is_quorum_with_a_delivery_limit_and_a_dead_letter_exchange():
    queue = task_queue("nexus-test-args")
    assert queue.queue_arguments["x-queue-type"] == "quorum"
    assert queue.queue_arguments["x-delivery-limit"] == 2
    assert queue.queue_arguments["x-dead-letter-routing-key"] == dead_letter_queue().name
    assert queue.exchange.type == "topic"  # native delayed delivery needs a non-direct one
    name = f"nexus-test-{uuid.uuid4().hex[:8]}"
    assert app.amqp.queues[name].queue_arguments == task_queue(name).queue_arguments


def test_a_message_that_kills_its_worker_is_dead_lettered_after_the_delivery_limit(
    tmp_path, client, admin_user
):
    with worker_started(tmp_path, extra_settings=TEST_TASKS, pool="prefork") as worker:
        task_id = str(uuid.uuid4())
        app.send_task("ops.tests.tasks.poison_kill", task_id=task_id, queue=worker.queue)
        run = wait_for(lambda: dead_run(task_id), 120, worker)
        log = worker.output()

    # Delivered 1 + 2 times (each kill a WorkerLostError, requeued at once), then the queue
    # dead-lettered it; the dead-letter consumer recorded why.
    assert log.count("WorkerLostError") >= 3, log
    assert "delivery limit reached" in run.last_error
    assert worker.queue in run.last_error
    assert run.task == "ops.tests.tasks.poison_kill"
    client.force_login(admin_user)
    page = client.get("/ops/").content.decode()
    assert f'id="run-{run.pk}"' in page and "Dead-lettered" in page
    assert "delivery limit reached" in page
    print(f"\npoison (kills its worker): {run.last_error.splitlines()[-1]}")


def test_a_task_that_fails_for_good_is_rejected_into_the_dead_letter_queue(
    tmp_path, client, admin_user
):
    with worker_started(tmp_path, extra_settings=TEST_TASKS) as worker:
        task_id = str(uuid.uuid4())
        app.send_task("ops.tests.tasks.poison_fail", task_id=task_id, queue=worker.queue)
        run = wait_for(lambda: dead_run(task_id), 60, worker)

    assert "ValueError: this message is poison" in run.last_error
    assert "rejected after its last failure" in run.last_error
    assert "Traceback" in run.traceback
    client.force_login(admin_user)
    assert f'id="run-{run.pk}"' in client.get("/ops/").content.decode()


def delayed_messages() -> int:
    """Messages waiting in RabbitMQ's native delayed-delivery queues (celery_delayed_N)."""
    total = 0
    with app.connection_for_write() as conn:
        for level in range(28):
            channel = conn.channel()
            with contextlib.suppress(Exception):  # not declared: closes the channel
                _, ready, _ = channel.queue_declare(f"celery_delayed_{level}", passive=True)
                total += ready
            with contextlib.suppress(Exception):
                channel.close()
    return total


def test_countdown_retries_wait_in_the_broker_and_back_off(tmp_path):
    with worker_started(tmp_path, extra_settings=TEST_TASKS) as worker:
        task_id = str(uuid.uuid4())
        app.send_task("ops.tests.tasks.flaky", args=[2], task_id=task_id, queue=worker.queue)
        runs = TaskRun.objects.filter(task_id=task_id)
        wait_for(lambda: runs.filter(state=RunState.RETRY).exists(), 120, worker)
        first_failed = time.monotonic()
        # The retry waits in RabbitMQ's delayed-delivery queues, not unacked in the worker.
        seen_waiting = wait_for(lambda: delayed_messages() > 0, 10, worker)
        run = wait_for(lambda: runs.filter(state=RunState.SUCCEEDED).first(), 60, worker)
        elapsed = time.monotonic() - first_failed

    assert seen_waiting
    assert run.attempt == 3 and run.max_attempts == 4
    assert "RuntimeError" in run.last_error
    # Back-off of 2 s then 4 s (retry_backoff=2, doubled), held by the broker.
    assert elapsed >= 5.5
    print(f"\nflaky task: 3 attempts, done {elapsed:.1f} s after its first failure (2 s + 4 s)")
