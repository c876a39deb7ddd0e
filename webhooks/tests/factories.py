"""Webhooks made through the services, as their owners would make them."""

from __future__ import annotations

from typing import Any

from webhooks import services
from webhooks.models import Event, Webhook


def webhook(owner: Any, url: str, events: list[str] | None = None, **kwargs: Any) -> Webhook:
    hook, _secret = services.webhook_create(
        owner=owner, url=url, events=events or list(Event.values), **kwargs
    )
    return hook
