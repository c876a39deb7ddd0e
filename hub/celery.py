"""The Celery app. Broker from CELERY_BROKER_URL (RabbitMQ); eager when it is unset."""

import logging
import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")

app = Celery("nexus")
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


app.steps["consumer"].add(BrokerConnectedStep)
app.steps["consumer"].add(HeartbeatStep)
