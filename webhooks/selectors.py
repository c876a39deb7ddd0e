"""Reads of webhooks and their deliveries, shaped for the settings pages and the APIs."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, QuerySet

from webhooks.models import Delivery, Webhook

LOG_LENGTH = 50


def webhooks_for_owner(*, owner: Any) -> QuerySet[Webhook]:
    """The owner's webhooks, newest first, with their delivery count and last delivery time
    (one query for the whole list)."""
    if not owner.is_authenticated:
        return Webhook.objects.none()
    return (
        Webhook.objects.filter(owner=owner)
        .annotate(
            delivery_count=Count("deliveries"), last_delivery_at=Max("deliveries__created_at")
        )
        .order_by("-created_at", "-id")
    )


def webhook_get_for_owner(*, owner: Any, pk: int) -> Webhook | None:
    """The owner's webhook (None for anyone else's: a 404 at every door)."""
    if not owner.is_authenticated:
        return None
    return Webhook.objects.filter(owner=owner, pk=pk).first()


def deliveries_for_webhook(*, webhook: Webhook, limit: int = LOG_LENGTH) -> QuerySet[Delivery]:
    """A webhook's log, newest first (index whd_webhook_created)."""
    return Delivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")[:limit]


def delivery_get_for_owner(
    *, owner: Any, pk: int, webhook_id: int | None = None
) -> Delivery | None:
    """One delivery of the owner's webhooks (None for anyone else's)."""
    if not owner.is_authenticated:
        return None
    deliveries = Delivery.objects.select_related("webhook").filter(webhook__owner=owner)
    if webhook_id is not None:
        deliveries = deliveries.filter(webhook_id=webhook_id)
    return deliveries.filter(pk=pk).first()
