"""The `user:<id>` live topic: a signed-in person's own tabs (notification count, toasts).
Only its owner may follow it; pages ask for `user:me`."""

from typing import Any

from hub import live


def user_group(key: str) -> str:
    return f"accounts.user.{int(key)}"


def user_topic(user_id: int) -> str:
    return f"user:{user_id}"


def _authorize_user(user: Any, key: str) -> bool:
    return bool(user and user.is_authenticated and str(user.pk) == key)


def register_topics() -> None:
    live.register(live.Topic("user", group=user_group, authorize=_authorize_user))
