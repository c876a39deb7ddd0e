"""Work whose enqueue fails while the broker is down is parked, not lost, and sent again
by parked_tasks_send (queued by every worker as it reconnects, and by beat)."""

import os
import uuid

import pytest
from kombu import Queue

from hub.celery import app, task_queue
from notifications.tests.test_broker import broker_at
from ops import services
from ops.models import ParkedTask

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL", "").startswith("amqp"),
        reason="needs a real broker: set CELERY_BROKER_URL to run",
    ),
    pytest.mark.django_db,
]


def test_a_task_sent_with_the_broker_down_is_parked_then_sent_once_it_is_back(settings):
    name = f"nexus-test-parked-{uuid.uuid4().hex[:8]}"
    with app.connection_for_write() as conn:
        queue: Queue = task_queue(name)(conn.default_channel)
        queue.declare()
    try:
        with broker_at("amqp://guest:guest@127.0.0.1:1//"):  # nothing listens there
            queued = services.task_send("ops.tasks.taskrun_prune", queue=name)
        assert queued is False
        parked = ParkedTask.objects.get()
        assert parked.task == "ops.tasks.taskrun_prune" and parked.options["queue"] == name

        assert services.parked_tasks_send() == 1
        assert services.parked_tasks_send() == 0  # each goes once
        assert not ParkedTask.objects.exists()
        with app.connection_for_write() as conn:
            _, ready, _ = conn.default_channel.queue_declare(name, passive=True)
        assert ready == 1
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(name)
            conn.default_channel.exchange_delete(name)


def test_the_reconnecting_worker_sends_parked_tasks(settings):
    assert "ops.tasks.parked_tasks_send" in settings.NEXUS_ON_BROKER_CONNECT
    assert any(
        e["task"] == "ops.tasks.parked_tasks_send" for e in settings.CELERY_BEAT_SCHEDULE.values()
    )
