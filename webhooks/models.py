"""A person's webhooks (a URL for events on their own things) and the log of deliveries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from hub.links import LinkField
from hub.routes import url_pattern, urls_for


class Event(models.TextChoices):
    ANSWER_CREATED = "answer.created", "An answer to my question"
    FEEDBACK_CREATED = "feedback.created", "Feedback on my project"
    REVIEW_SUBMITTED = "review.submitted", "A mentor's review of my project"


class Webhook(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = LinkField()
    description = models.CharField(max_length=100, blank=True)
    # Shown once (on create and on rotate); stored as written because every delivery is
    # signed with it (docs/decisions/0027).
    secret = models.CharField(max_length=80, editable=False)
    events = models.JSONField(default=list)  # Event values
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The settings page's list (owner, newest first) and the receivers' lookup
            # of an owner's webhooks.
            models.Index(fields=["owner", "-created_at"], name="wh_owner_created"),
        ]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return self.urls["detail"]

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:10]}…"

    @cached_property
    def urls(self) -> dict[str, str]:
        """Its page and action URLs (hub.routes: reversed once per process, not per row)."""
        return urls_for(
            self.pk,
            {
                "detail": ("webhooks:detail",),
                "secret_rotate": ("webhooks:secret_rotate",),
                "delete": ("webhooks:delete",),
            },
        )


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Queued"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event for one webhook. Its `uuid` is the `X-Nexus-Delivery` header, the same on
    every attempt and redelivery (receivers dedupe on it)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Event.choices)
    payload = models.JSONField(default=dict)
    state = models.CharField(
        max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # A webhook's log, newest first.
            models.Index(fields=["webhook", "-created_at", "-id"], name="whd_webhook_created"),
            # Beat's pruning of old deliveries.
            models.Index(fields=["created_at"], name="whd_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.uuid}"

    @cached_property
    def urls(self) -> dict[str, str]:
        """Its action URLs (hub.routes: reversed once per process, not per row)."""
        return {
            "redeliver": url_pattern("webhooks:redeliver", slots=2).format(self.webhook_id, self.pk)
        }

    @property
    def may_redeliver(self) -> bool:
        """Finished, or a retry whose time has come (under eager Celery nothing else
        retries it before beat's resume sweep)."""
        if self.state == DeliveryState.RETRYING:
            return self.next_attempt_at is not None and self.next_attempt_at <= timezone.now()
        return self.state in (DeliveryState.SUCCEEDED, DeliveryState.FAILED)
