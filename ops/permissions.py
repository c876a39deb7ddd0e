"""Who may see and act on background work."""

from typing import Any


def can_operate(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_admin)
