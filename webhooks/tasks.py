"""The delivery task: thin; the attempt and its guard live in webhooks.services and
webhooks.net. Queued through ops.services.task_send (parked if the broker is down), on
record in ops (TaskRun) like every worker task.

Back-off: before try n+1 the task waits a random time between half and all of
NEXUS_WEBHOOK_RETRY_BASE * 2^n seconds (10 s base: about 5-10 s, 10-20 s, ... up to
80-160 s; MAX_ATTEMPTS tries in all, about 5 minutes). A retryable failure on the last
try fails the task, so it is dead-lettered and shown on /ops/ with a retry button.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from hub.backoff import retry_countdown
from webhooks import services

MAX_ATTEMPTS = 6


class DeliveryFailed(Exception):
    """The receiver did not accept the delivery (the message says how)."""


def backoff(retries: int) -> int:
    """Whole seconds, at least 1 (hub.backoff, half jitter)."""
    base = float(getattr(settings, "NEXUS_WEBHOOK_RETRY_BASE", 10))
    return retry_countdown(retries, base=base, cap=base * 2**MAX_ATTEMPTS, jitter="half")


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS - 1)
def webhook_delivery_send(self, delivery_id: int) -> str:
    retries = self.request.retries or 0
    wait = None if retries >= self.max_retries else backoff(retries)
    outcome = services.delivery_attempt(delivery_id=delivery_id, retry_in=wait)
    if outcome.retry:
        if self.request.is_eager:
            # Inline (the embedded default, tests): the next try runs now, without the
            # wait (Celery's eager retry would propagate as an error instead).
            return self.apply(kwargs={"delivery_id": delivery_id}, retries=retries + 1).get()
        raise self.retry(countdown=wait, exc=DeliveryFailed(outcome.error))
    if outcome.exhausted:
        raise DeliveryFailed(f"Gave up after {retries + 1} tries: {outcome.error}")
    return outcome.state


@shared_task
def webhook_deliveries_prune() -> int:
    """Delete deliveries older than NEXUS_WEBHOOK_LOG_KEEP (beat, hourly)."""
    return services.deliveries_prune()
