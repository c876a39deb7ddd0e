"""The Celery app. Broker from CELERY_BROKER_URL (RabbitMQ); eager when it is unset.

Every queue Celery declares for us (the default one, each `-Q` name, each `queue=` a task
is sent to) is a RabbitMQ quorum queue on a topic exchange of its name, with a delivery
limit and a dead-letter exchange (`NexusAMQP`): a message redelivered more than
NEXUS_TASK_DELIVERY_LIMIT times (it kills its worker, or times out) or rejected after its
last failure goes to NEXUS_DEAD_LETTER_QUEUE instead of looping, where `DeadLetterStep`
records it (NEXUS_DEAD_LETTER, e.g. ops.services.taskrun_dead). Quorum queues make Celery
use RabbitMQ's native delayed delivery for countdowns and retries (the topic exchange is
what it needs), so retries never sit unacknowledged in a worker.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from typing import Any

from celery import Celery, Task, bootsteps
from celery.app.amqp import AMQP, Queues
from kombu import Consumer, Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

logger = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "nexus.dead-letter"


def _setting(name: str, default: Any) -> Any:
    from django.conf import settings

    return getattr(settings, name, default)


def dead_letter_queue() -> Queue:
    name = _setting("NEXUS_DEAD_LETTER_QUEUE", "nexus.dead")
    return Queue(
        name,
        Exchange(DEAD_LETTER_EXCHANGE, type="direct"),
        routing_key=name,
        queue_arguments={"x-queue-type": "quorum"},
    )


def task_queue(name: str) -> Queue:
    """A queue of our tasks: quorum, delivery-limited, dead-lettered, on a topic exchange."""
    return Queue(
        name,
        Exchange(name, type="topic"),
        routing_key=name,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": int(_setting("NEXUS_TASK_DELIVERY_LIMIT", 5)),
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": dead_letter_queue().routing_key,
            # Dead-lettering a quorum queue's message is itself confirmed: none is lost
            # between the queue and the dead-letter queue (needs reject-publish overflow).
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )


# A delayed message's routing key: 28 binary digits of its countdown, then the queue's.
_DELAY_PREFIX = re.compile(r"^(?:[01]\.){28}")


class NexusTask(Task):
    """Retries go back to the queue the task came from. (Celery 5.7 sends a retry without a
    queue to the default queue's routing key once native delayed delivery is on, and a
    delayed message arrives with the countdown's digits before its queue's name.)"""

    def signature_from_request(self, request=None, args=None, kwargs=None, queue=None, **extra):
        request = self.request if request is None else request
        routing_key = (request.delivery_info or {}).get("routing_key") if request else None
        if queue is None and routing_key:
            queue = _DELAY_PREFIX.sub("", routing_key, count=1)
        return super().signature_from_request(request, args, kwargs, queue=queue, **extra)


class NexusQueues(Queues):
    def new_missing(self, name: str) -> Queue:
        return task_queue(name)


class NexusAMQP(AMQP):
    queues_cls = NexusQueues

    def Queues(self, queues, *args, **kwargs):
        if not queues and self.app.conf.task_default_queue:
            queues = [task_queue(self.app.conf.task_default_queue)]
        return super().Queues(queues, *args, **kwargs)


app = Celery("nexus", amqp=NexusAMQP, task_cls=NexusTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class BrokerConnectedStep(bootsteps.StartStopStep):
    """Runs each time the worker's consumer (re)connects to the broker: it queues the
    tasks named in NEXUS_ON_BROKER_CONNECT, e.g. a sweep for emails whose enqueue failed
    while the broker was down, so they go out as soon as it is back rather than at the
    next periodic sweep. (hub names no app: the tasks are listed in settings.)"""

    requires = {"celery.worker.consumer.connection:Connection"}

    def start(self, c) -> None:
        from django.conf import settings

        for name, options in getattr(settings, "NEXUS_ON_BROKER_CONNECT", {}).items():
            try:
                # On the consumer's own connection: just made, unlike the pool's.
                c.app.send_task(name, connection=c.connection, **options)
            except Exception:  # noqa: BLE001 - the periodic sweep is still there
                logging.getLogger(__name__).warning("on broker connect: %s not queued", name)


class HeartbeatStep(bootsteps.StartStopStep):
    """Every NEXUS_WORKER_HEARTBEAT_SECONDS, calls NEXUS_WORKER_HEARTBEAT (a dotted path,
    e.g. ops.services.worker_heartbeat) with the worker's name and queues: a durable "alive"
    the ops page and the worker's /readyz read, without asking the broker."""

    requires = {"celery.worker.consumer.connection:Connection"}

    def __init__(self, c, **kwargs) -> None:
        super().__init__(c, **kwargs)
        self.timer = None

    def start(self, c) -> None:
        from django.conf import settings
        from django.utils import timezone
        from django.utils.module_loading import import_string

        path = getattr(settings, "NEXUS_WORKER_HEARTBEAT", "")
        if not path:
            return
        beat = import_string(path)
        started = timezone.now()
        queues = sorted(c.app.amqp.queues.consume_from or c.app.amqp.queues)

        def tick() -> None:
            try:
                beat(hostname=c.hostname, queues=queues, started_at=started)
            except Exception:  # noqa: BLE001 - a missed heartbeat is what it reports
                logging.getLogger(__name__).warning("worker heartbeat not recorded")

        tick()
        self.timer = c.timer.call_repeatedly(
            getattr(settings, "NEXUS_WORKER_HEARTBEAT_SECONDS", 10), tick
        )

    def stop(self, c) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def dead_letter_parsed(body: Any, headers: dict) -> dict:
    """What a dead-lettered task message says: its task, id, arguments, the queue it died
    in and why (RabbitMQ's x-death: "delivery_limit" or "rejected")."""
    args, kwargs = [], {}
    if isinstance(body, (list, tuple)) and len(body) >= 2:
        args, kwargs = list(body[0] or []), dict(body[1] or {})
    deaths = headers.get("x-death") or [{}]
    death = deaths[0] if isinstance(deaths, list) and deaths else {}
    reason = str(headers.get("x-first-death-reason") or death.get("reason") or "unknown")
    queue = str(headers.get("x-first-death-queue") or death.get("queue") or "")
    delivery_count = headers.get("x-delivery-count")
    text = {
        "delivery_limit": "delivery limit reached",
        "rejected": "rejected after its last failure",
        "expired": "expired in the queue",
    }.get(reason, reason)
    if delivery_count is not None:
        text += f" ({int(delivery_count) + 1} deliveries)"
    return {
        "task_id": str(headers.get("id") or uuid.uuid4()),
        "task": str(headers.get("task") or ""),
        "args": args,
        "kwargs": kwargs,
        "queue": queue,
        "reason": f"{text} on queue {queue}" if queue else text,
    }


class DeadLetterStep(bootsteps.ConsumerStep):
    """Consumes NEXUS_DEAD_LETTER_QUEUE and hands each dead message to NEXUS_DEAD_LETTER (a
    dotted path) before acknowledging it: the record keeps its task and arguments, so the
    ops page can show it and queue it again. A record that cannot be written (database
    down) puts the message back after a pause."""

    def get_consumers(self, channel):
        from django.conf import settings
        from django.utils.module_loading import import_string

        path = getattr(settings, "NEXUS_DEAD_LETTER", "")
        if not path:
            return []
        record = import_string(path)
        # Quorum queues refuse a global QoS: a prefetch for this consumer only.
        channel.basic_qos(0, 10, False)

        def on_message(body, message) -> None:
            try:
                record(**dead_letter_parsed(body, dict(message.headers or {})))
            except Exception:
                logger.exception("dead letter not recorded; put back")
                time.sleep(1)
                message.requeue()
                return
            message.ack()

        return [
            Consumer(
                channel,
                queues=[dead_letter_queue()],
                callbacks=[on_message],
                accept=["json"],
            )
        ]


app.steps["consumer"].add(BrokerConnectedStep)
app.steps["consumer"].add(DeadLetterStep)
app.steps["consumer"].add(HeartbeatStep)
