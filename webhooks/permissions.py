"""Who may do what with webhooks: a webhook is its owner's alone."""

from __future__ import annotations

from typing import Any

from accounts.permissions import can_write


def can_manage(user: Any, webhook: Any) -> bool:
    """Edit, delete, rotate, see the log, redeliver: the owner."""
    return bool(user and user.is_authenticated and webhook.owner_id == user.pk)


def can_create(user: Any) -> bool:
    """Register a webhook: anyone who may write (not a suspended account)."""
    return can_write(user)
