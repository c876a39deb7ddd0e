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


app.steps["consumer"].add(BrokerConnectedStep)
