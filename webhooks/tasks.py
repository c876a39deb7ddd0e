"""The delivery task: thin; the attempt and its guard live in webhooks.services and
webhooks.net. Queued through ops.services.task_send (parked if the broker is down), on
record in ops (TaskRun) like every worker task.

Eager Celery (the embedded default) runs the task in the request that made the event:
one try with NEXUS_WEBHOOK_EAGER_TIMEOUT (2 s), never the retries inline; a retryable
failure is left "retrying" and `webhook_deliveries_resume` (or Redeliver, once due) sends
the next try, counting on.

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

MAX_ATTEMPTS = services.MAX_ATTEMPTS


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
    eager = bool(self.request.is_eager)
    outcome = services.delivery_attempt(
        delivery_id=delivery_id,
        retry_in=wait,
        # Eager (the embedded default): this runs in the request that made the event, so
        # one short try; a retry is left "retrying" for the resume sweep or Redeliver.
        timeout=float(getattr(settings, "NEXUS_WEBHOOK_EAGER_TIMEOUT", 2)) if eager else None,
    )
    if outcome.retry:
        if eager:
            return outcome.state
        raise self.retry(countdown=wait, exc=DeliveryFailed(outcome.error))
    if outcome.exhausted:
        if eager:  # never an error in the request; the log says it failed
            return outcome.state
        raise DeliveryFailed(f"Gave up after {retries + 1} tries: {outcome.error}")
    return outcome.state


@shared_task
def webhook_deliveries_resume() -> int:
    """Queue again the retries whose time came (beat, every minute)."""
    return services.deliveries_resume()


@shared_task
def webhook_deliveries_prune() -> int:
    """Delete deliveries older than NEXUS_WEBHOOK_LOG_KEEP (beat, hourly)."""
    return services.deliveries_prune()
