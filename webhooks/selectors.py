"""Reads of webhooks and their deliveries, shaped for the settings pages and the APIs."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.functions import RowNumber

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


def deliveries_for_webhooks(
    *, webhooks: list[Webhook], limit: int = LOG_LENGTH
) -> dict[int, list[Delivery]]:
    """The logs of several webhooks at once, newest first, at most `limit` each: one query
    (a row number per webhook), for the GraphQL list of the viewer's webhooks."""
    if not webhooks:
        return {}
    rows = (
        Delivery.objects.filter(webhook_id__in=[webhook.pk for webhook in webhooks])
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("webhook_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(place__lte=limit)
        .order_by("webhook_id", "-created_at", "-id")
    )
    logs: dict[int, list[Delivery]] = {webhook.pk: [] for webhook in webhooks}
    for delivery in rows:
        logs[delivery.webhook_id].append(delivery)
    return logs


def webhooks_get_many(*, owner: Any, pks: list[int]) -> dict[int, Webhook]:
    """The owner's webhooks among `pks` (anyone else's are simply absent)."""
    return {webhook.pk: webhook for webhook in webhooks_for_owner(owner=owner).filter(pk__in=pks)}


def deliveries_get_many(*, owner: Any, pks: list[int]) -> dict[int, Delivery]:
    """The owner's deliveries among `pks` (anyone else's are simply absent)."""
    if not owner.is_authenticated or not pks:
        return {}
    found = Delivery.objects.select_related("webhook").filter(webhook__owner=owner, pk__in=pks)
    return {delivery.pk: delivery for delivery in found}


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
