"""Every write of the webhooks app: a person's webhooks, and their deliveries.

webhook_create / webhook_update / webhook_delete / webhook_secret_rotate   the owner's
deliveries_record      (receivers, in the announcing write's transaction) one row per
                       subscribed webhook; the task is queued on commit
delivery_attempt       (the task) one signed POST through webhooks.net's guard
delivery_redeliver     the owner's "Redeliver": once per press, however often pressed
deliveries_resume      (beat) queue again the retries whose time came and went: every due
                       one under eager Celery, those whose delayed message was lost otherwise
"""

from __future__ import annotations

import http.client
import json
import logging
import secrets
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hub.links import link_validate
from hub.services import after_commit, clean, require
from webhooks import net, permissions, subjects
from webhooks.models import Delivery, DeliveryState, Event, Webhook
from webhooks.signing import signature_header

logger = logging.getLogger(__name__)

MAX_WEBHOOKS = 10
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
TASK = "webhooks.tasks.webhook_delivery_send"
MAX_ATTEMPTS = 6  # tries of one delivery, the first included
USER_AGENT = "Nexus-Webhooks/1"
# Answers worth another try: the receiver is down, overloaded or asks us to slow down.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# The lookup on save is bounded (getaddrinfo has no timeout of its own).
SAVE_LOOKUP_TIMEOUT = 2.0
_LOOKUPS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="webhook-lookup")


def secret_new() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _events_clean(events: Iterable[str]) -> list[str]:
    chosen = [event for event in Event.values if event in set(events)]
    unknown = set(events) - set(Event.values)
    if unknown:
        raise ValidationError({"events": f"Unknown events: {', '.join(sorted(unknown))}."})
    if not chosen:
        raise ValidationError({"events": "Choose at least one event."})
    return chosen


def _url_clean(url: str) -> str:
    """hub.links' rule, then where the name points now: a name that already resolves to
    a private, loopback or link-local address is refused here (and every delivery checks
    again, webhooks.net). A name that does not resolve yet is accepted."""
    url = link_validate(url, field="url")
    _scheme, host, port, _path = net.url_parts(url)
    lookup = _LOOKUPS.submit(net.resolve, host, port)
    try:
        addresses = lookup.result(timeout=SAVE_LOOKUP_TIMEOUT)
    except (OSError, UnicodeError, TimeoutError):
        return url
    for address in addresses:
        if reason := net.address_refusal(address):
            raise ValidationError(
                {"url": f"{host} points at {reason} ({address}): webhooks go to public hosts."}
            )
    return url


@transaction.atomic
def webhook_create(
    *, owner: Any, url: str, events: Iterable[str], description: str = "", active: bool = True
) -> tuple[Webhook, str]:
    """A new webhook and its secret (returned to be shown once)."""
    require(permissions.can_create(owner), "Your account cannot register webhooks now.")
    if Webhook.objects.filter(owner=owner).count() >= MAX_WEBHOOKS:
        raise ValidationError(f"You can have at most {MAX_WEBHOOKS} webhooks: delete one first.")
    webhook = Webhook(
        owner=owner,
        url=_url_clean(url),
        events=_events_clean(events),
        description=description.strip(),
        active=active,
        secret=secret_new(),
    )
    clean(webhook, exclude=["owner"])
    webhook.save()
    logger.info("webhooks: user %s registered webhook %s", owner.pk, webhook.pk)
    return webhook, webhook.secret


@transaction.atomic
def webhook_update(
    *,
    actor: Any,
    webhook: Webhook,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> Webhook:
    require(permissions.can_manage(actor, webhook), "This webhook is not yours.")
    if url is not None and url != webhook.url:
        webhook.url = _url_clean(url)
    if events is not None:
        webhook.events = _events_clean(events)
    if description is not None:
        webhook.description = description.strip()
    if active is not None:
        webhook.active = active
    clean(webhook, exclude=["owner"])
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(*, actor: Any, webhook: Webhook) -> None:
    """The webhook and its log go; a delivery already queued finds nothing and stops."""
    require(permissions.can_manage(actor, webhook), "This webhook is not yours.")
    webhook.delete()


@transaction.atomic
def webhook_secret_rotate(*, actor: Any, webhook: Webhook) -> str:
    """A new secret (returned to be shown once); the old one stops at once."""
    require(permissions.can_manage(actor, webhook), "This webhook is not yours.")
    webhook.secret = secret_new()
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook.secret


# --- Deliveries ------------------------------------------------------------------------


def _send(delivery_id: int, retries: int = 0) -> None:
    from ops.services import task_send

    task_send(
        TASK,
        kwargs={"delivery_id": delivery_id},
        queue=getattr(settings, "NEXUS_WEBHOOK_QUEUE", None) or None,
        retries=retries,
    )


def deliveries_record(*, owner: Any, event: str, payload: dict[str, Any]) -> list[Delivery]:
    """One delivery for each of `owner`'s active webhooks that chose `event`, written in
    the caller's transaction (the event and its deliveries commit together); each is
    queued once it commits. Receivers build `payload` from what the owner may see."""
    if not owner.is_active:
        return []
    hooks = [
        webhook
        for webhook in Webhook.objects.filter(owner=owner, active=True).only("pk", "events")
        if event in webhook.events
    ]
    deliveries = Delivery.objects.bulk_create(
        [Delivery(webhook=webhook, event=event, payload=payload) for webhook in hooks]
    )
    for delivery in deliveries:
        after_commit(_send, delivery.pk)
    return deliveries


def delivery_body(delivery: Delivery) -> bytes:
    """The JSON body, the same bytes on every attempt (keys sorted, no spaces)."""
    envelope = {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()


def delivery_headers(delivery: Delivery, *, body: bytes, secret: str, timestamp: int) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Nexus-Event": delivery.event,
        "X-Nexus-Delivery": str(delivery.uuid),
        "X-Nexus-Attempt": str(delivery.attempts),
        "X-Nexus-Signature": signature_header(secret=secret, body=body, timestamp=timestamp),
    }


@dataclass(frozen=True)
class Outcome:
    state: str
    retry: bool = False  # the task should try again later
    exhausted: bool = False  # a retryable failure on the last try
    error: str = ""


def _refusal(delivery: Delivery) -> str:
    webhook = delivery.webhook
    if not webhook.active:
        return "The webhook is turned off."
    if not webhook.owner.is_active:
        return "The webhook's owner is no longer active."
    if not subjects.visible(delivery.event, delivery.payload, webhook.owner):
        return "What this event is about is no longer visible to you."
    return ""


def delivery_attempt(
    *, delivery_id: int, retry_in: float | None, timeout: float | None = None
) -> Outcome:
    """One attempt: claim the row (a delivered one is never sent again), POST the signed
    body through the guard outside any transaction, record the answer. `retry_in` is the
    wait before the next try, None on the last one; `timeout` bounds the POST (default
    NEXUS_WEBHOOK_TIMEOUT)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("webhook", "webhook__owner")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return Outcome("gone")
        if delivery.state == DeliveryState.SUCCEEDED:
            return Outcome(DeliveryState.SUCCEEDED)
        now = timezone.now()
        if refusal := _refusal(delivery):
            delivery.state, delivery.last_error, delivery.next_attempt_at = (
                DeliveryState.FAILED,
                refusal,
                None,
            )
            delivery.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])
            return Outcome(DeliveryState.FAILED, error=refusal)
        delivery.attempts += 1
        delivery.state, delivery.last_attempt_at = DeliveryState.SENDING, now
        delivery.save(update_fields=["attempts", "state", "last_attempt_at", "updated_at"])

    body = delivery_body(delivery)
    headers = delivery_headers(
        delivery, body=body, secret=delivery.webhook.secret, timestamp=int(time.time())
    )
    status: int | None = None
    duration: int | None = None
    retryable = False
    error = ""
    started = time.monotonic()
    try:
        answer = net.post(delivery.webhook.url, body=body, headers=headers, timeout=timeout)
    except net.Refused as refused:
        error = str(refused)
    except (OSError, http.client.HTTPException) as failure:
        retryable = True
        error = f"{failure.__class__.__name__}: {failure}" if str(failure) else repr(failure)
        duration = int((time.monotonic() - started) * 1000)
    else:
        status, duration = answer.status, answer.duration_ms
        if 300 <= status < 400:
            error = f"HTTP {status}: redirects are not followed."
        elif status >= 400:
            retryable = status in RETRY_STATUSES
            error = f"HTTP {status}"
    succeeded = status is not None and 200 <= status < 300
    retry = retryable and retry_in is not None
    state = (
        DeliveryState.SUCCEEDED
        if succeeded
        else DeliveryState.RETRYING
        if retry
        else DeliveryState.FAILED
    )
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        state=state,
        response_code=status,
        duration_ms=duration,
        last_error=error[:500],
        next_attempt_at=now + timedelta(seconds=retry_in) if retry else None,
        delivered_at=now if succeeded else None,
        updated_at=now,
    )
    logger.info(
        "webhooks: delivery %s (%s) attempt %d -> %s%s",
        delivery.uuid,
        delivery.event,
        delivery.attempts,
        state,
        f" ({error})" if error else "",
    )
    return Outcome(state, retry=retry, exhausted=retryable and not retry, error=error)


def delivery_redeliver(*, actor: Any, delivery: Delivery, seen_attempts: int | None = None) -> bool:
    """Send a finished delivery again (same id, so receivers can dedupe). Pressing twice
    queues it once: a delivery already queued or sending is left alone, and `seen_attempts`
    (the count the button was shown with) must still be current. True if queued."""
    require(permissions.can_manage(actor, delivery.webhook), "This webhook is not yours.")
    require(delivery.webhook.active, "Turn the webhook on to redeliver.")
    with transaction.atomic():
        row = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if not row.may_redeliver:
            return False
        if seen_attempts is not None and seen_attempts != row.attempts:
            return False
        row.state, row.next_attempt_at = DeliveryState.PENDING, None
        row.save(update_fields=["state", "next_attempt_at", "updated_at"])
        after_commit(_send, row.pk)
    return True


def deliveries_resume(*, grace: timedelta | None = None, limit: int = 500) -> int:
    """Queue again each retrying delivery whose next try is overdue by `grace`, counting
    on from the tries it had (so MAX_ATTEMPTS still bounds it). Under eager Celery (the
    embedded default) a delivery tries once on the request path and leaves its retries
    here (grace 0); with a worker the broker holds each retry, and this only catches one
    whose delayed message was lost (NEXUS_WEBHOOK_RESUME_GRACE). Rows are locked and
    skipped by a concurrent run, and marked queued, so each goes once. Returns how many."""
    from hub.celery import app

    if grace is None:
        grace = (
            timedelta(0)
            if app.conf.task_always_eager
            else getattr(settings, "NEXUS_WEBHOOK_RESUME_GRACE", timedelta(minutes=2))
        )
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                state=DeliveryState.RETRYING,
                next_attempt_at__lte=timezone.now() - grace,
                attempts__lt=MAX_ATTEMPTS,
            )
            .order_by("next_attempt_at")[:limit]
        )
        for delivery in due:
            after_commit(_send, delivery.pk, delivery.attempts)
        Delivery.objects.filter(pk__in=[d.pk for d in due]).update(
            state=DeliveryState.PENDING, next_attempt_at=None, updated_at=timezone.now()
        )
    return len(due)


def deliveries_prune(*, older_than: timedelta | None = None) -> int:
    """Delete deliveries older than NEXUS_WEBHOOK_LOG_KEEP (beat, hourly)."""
    keep = older_than or getattr(settings, "NEXUS_WEBHOOK_LOG_KEEP", timedelta(days=30))
    deleted, _ = Delivery.objects.filter(created_at__lt=timezone.now() - keep).delete()
    return deleted
