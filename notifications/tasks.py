"""Email tasks: thin, named `<event>_<effect>`; the work and its exactly-once check live in
`notifications.emails`.

Immediate emails are queued after commit by `enqueue_emails` (never waiting on a broker
that is down: the row stays unsent and the sweep queues it later). Digests and the sweep
run from beat (CELERY_BEAT_SCHEDULE in settings). Tasks go to NEXUS_EMAIL_QUEUE.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from hub.backoff import retry_countdown
from notifications import emails
from notifications.models import EmailMode, Notification

logger = logging.getLogger(__name__)

SEND_ERRORS = (smtplib.SMTPException, OSError, ConnectionError)
RETRY = {"acks_late": True, "max_retries": 8}
# Before retry n+1: a whole number of seconds in [1, min(600, 1 s * 2^n)] (full jitter,
# hub.backoff: never under 1 s, which RabbitMQ's delayed delivery would drop).
BACKOFF_BASE = 1
BACKOFF_MAX = 600


def email_countdown(retries: int) -> int:
    return retry_countdown(retries, base=BACKOFF_BASE, cap=BACKOFF_MAX, jitter="full")


# Immediate emails not sent within this long after their row changed are the sweep's.
SWEEP_AFTER = timedelta(minutes=1)
# ... unless they are older than this: a days-late "immediate" email is noise.
SWEEP_MAX_AGE = timedelta(days=2)
SWEEP_BATCH = 500


def email_queue() -> str:
    return getattr(settings, "NEXUS_EMAIL_QUEUE", "celery")


@shared_task(bind=True, **RETRY)
def notification_email(self, notification_id: int) -> bool:
    try:
        return emails.notification_email_send(notification_id)
    except SEND_ERRORS as error:
        raise self.retry(exc=error, countdown=email_countdown(self.request.retries)) from error


@shared_task(bind=True, **RETRY)
def digest_email(self, user_id: int, mode: str) -> bool:
    try:
        return emails.digest_send(user_id, mode)
    except SEND_ERRORS as error:
        raise self.retry(exc=error, countdown=email_countdown(self.request.retries)) from error


def enqueue_emails(notification_ids: Iterable[int]) -> int:
    """Queue the immediate emails of these notifications; called after commit. Returns how
    many were queued. A broker that is down costs one bounded attempt
    (CELERY_BROKER_CONNECTION_TIMEOUT), one warning, and nothing else: the rows stay
    unsent and `notification_email_sweep` queues them once the broker is back."""
    ids = list(
        Notification.objects.filter(
            pk__in=list(notification_ids),
            email_mode=EmailMode.IMMEDIATE,
            emailed_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    queue = email_queue()
    for queued, notification_id in enumerate(ids):
        try:
            notification_email.apply_async(args=[notification_id], queue=queue, retry=False)
        except (OperationalError, OSError) as error:
            logger.warning(
                "Broker unavailable (%s): %d notification email(s) left for the sweep",
                error,
                len(ids) - queued,
            )
            return queued
    return len(ids)


@shared_task
def notification_email_sweep(after_seconds: float | None = None) -> int:
    """Queue the immediate emails that were never queued or never sent (broker down at
    commit, a worker lost, retries exhausted). Sending twice is prevented by the marker.
    `after_seconds=0` (run by the worker when it reconnects to the broker) takes rows of any
    age, so mail whose enqueue failed during an outage goes out as soon as it is back."""
    now = timezone.now()
    after = SWEEP_AFTER if after_seconds is None else timedelta(seconds=after_seconds)
    ids = list(
        Notification.objects.filter(
            email_mode=EmailMode.IMMEDIATE,
            emailed_at__isnull=True,
            updated_at__lte=now - after,
            updated_at__gte=now - SWEEP_MAX_AGE,
            recipient__is_active=True,
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    queue = email_queue()
    for notification_id in ids:
        notification_email.apply_async(args=[notification_id], queue=queue)
    return len(ids)


def _digest_enqueue(mode: str) -> int:
    since = timezone.now() - emails.DIGEST_PERIODS[EmailMode(mode)]
    user_ids = list(
        Notification.objects.filter(
            email_mode=mode,
            emailed_at__isnull=True,
            updated_at__gte=since,
            recipient__is_active=True,
        )
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )
    queue = email_queue()
    for user_id in user_ids:
        digest_email.apply_async(args=[user_id, mode], queue=queue)
    return len(user_ids)


@shared_task
def digest_daily() -> int:
    return _digest_enqueue(EmailMode.DAILY)


@shared_task
def digest_weekly() -> int:
    return _digest_enqueue(EmailMode.WEEKLY)
