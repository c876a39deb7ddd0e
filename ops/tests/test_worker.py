"""The run record and the heartbeat, written by a real worker (marker broker): a sent
email's run, a failing send's retries with back-off, and the worker's heartbeat."""

import os
import time

import pytest
from django.db import connection

from notifications.tests.test_broker import notify_answer, worker_started
from ops.models import RunState, TaskRun, WorkerHeartbeat

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="needs a real broker: set CELERY_BROKER_URL (and DATABASE_URL) to run",
    ),
    pytest.mark.django_db(transaction=True),
]

SMTP_DOWN = """
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2}}}
"""


def wait_for(predicate, timeout: float, worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := predicate()) is not None and found is not False:
            return found
        time.sleep(0.3)
    pytest.fail(f"not within {timeout} s; worker log:\n{worker.output()}")


@pytest.fixture
def on_worker(settings):
    if connection.vendor == "sqlite":
        pytest.skip("the worker process cannot open SQLite's in-memory test database")

    def point(worker):
        settings.NEXUS_EMAIL_QUEUE = worker.queue
        settings.CELERY_TASK_ALWAYS_EAGER = False

    return point


def test_a_sent_email_is_on_record_with_its_timing_and_the_worker_beats(
    on_worker, tmp_path, learner, mentor
):
    with worker_started(tmp_path) as worker:
        on_worker(worker)
        n = notify_answer(learner, mentor)
        run = wait_for(
            lambda: TaskRun.objects.filter(
                task="notifications.tasks.notification_email",
                target=f"notification_id={n.pk}",
                state=RunState.SUCCEEDED,
            ).first(),
            90,
            worker,
        )
        beat = WorkerHeartbeat.objects.get(hostname__startswith=worker.queue)

    assert run.attempt == 1
    assert run.max_attempts == 9
    assert run.queue == worker.queue
    assert run.duration_ms is not None and run.finished_at >= run.started_at
    assert worker.queue in beat.queues


def test_a_failing_send_is_retried_with_back_off_and_its_error_recorded(
    on_worker, tmp_path, learner, mentor
):
    with worker_started(tmp_path, extra_settings=SMTP_DOWN) as worker:
        on_worker(worker)
        n = notify_answer(learner, mentor)
        target = f"notification_id={n.pk}"
        # Attempts 2 and 3 come after back-offs of about 1 s and 2 s, on the same record.
        run = wait_for(
            lambda: TaskRun.objects.filter(target=target, attempt__gte=3).first(),
            90,
            worker,
        )

    # One record per task: its retries update it (a reconnect sweep may add a second task
    # for the same notification; the sent-marker makes it harmless).
    assert TaskRun.objects.filter(target=target).count() <= 2
    assert run.max_attempts == 9
    assert "ConnectionRefusedError" in run.last_error or "OSError" in run.last_error
    assert "Traceback" in run.traceback
    assert run.next_retry_at is not None
    n.refresh_from_db()
    assert n.emailed_at is None


def test_queue_depths_come_from_the_broker():
    import uuid

    from kombu import Queue

    from hub.celery import app
    from ops.selectors import queue_depths

    name = f"nexus-test-depth-{uuid.uuid4().hex[:8]}"
    with app.connection_for_write() as conn:
        queue = Queue(name, routing_key=name)(conn.default_channel)
        queue.declare()
        with conn.Producer() as producer:
            for i in range(3):
                producer.publish({"n": i}, routing_key=name)
        try:
            (depth, missing) = queue_depths([name, f"{name}-never-declared"])
        finally:
            queue.delete()

    assert (depth.ready, depth.consumers) == (3, 0)
    assert missing.ready == 0
