"""Reads of notifications for the bell, the dropdown and the list."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from accounts.models import User
from notifications.models import DEFAULT_EMAIL_MODE, EmailMode, Kind, Mute, Notification, Preference

PAGE_SIZE = 25


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, is_read=False).count()


def _for(user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor")
        .order_by("-updated_at", "-id")
    )


def notification_latest(*, user: User, limit: int = 8) -> list[Notification]:
    return list(_for(user)[:limit])


def notification_page(*, user: User, unread_only: bool, number: int | str) -> Page:
    notifications = _for(user)
    if unread_only:
        notifications = notifications.filter(is_read=False)
    return Paginator(notifications, PAGE_SIZE).get_page(number)


def notification_get(*, user: User, pk: int) -> Notification | None:
    return Notification.objects.filter(recipient=user, pk=pk).first()


def preferences_for(*, user: User) -> list[tuple[str, str, str]]:
    """(kind, label, email mode) for every kind, the person's choice or the default."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "email_mode"))
    return [
        (kind, label, chosen.get(kind, DEFAULT_EMAIL_MODE.get(kind, EmailMode.DAILY)))
        for kind, label in Kind.choices
    ]


def is_muted(*, user: User, target_key: str) -> bool:
    return user.is_authenticated and Mute.objects.filter(user=user, target_key=target_key).exists()


def notification_count(*, user: User, unread_only: bool = False) -> int:
    """How many notifications notification_list would list in all (one COUNT query)."""
    if not user.is_authenticated:
        return 0
    notifications = _for(user)
    return (notifications.filter(is_read=False) if unread_only else notifications).count()


def notification_list(
    *,
    user: User,
    unread_only: bool = False,
    cursor: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
    backward: bool = False,
) -> tuple[list[Notification], bool]:
    """A keyset page of the person's notifications, newest first, after (or, `backward`,
    before) the (updated_at, id) `cursor`; and whether there are more that way."""
    notifications = _for(user)
    if unread_only:
        notifications = notifications.filter(is_read=False)
    if cursor is not None:
        value, pk = cursor
        if backward:
            notifications = notifications.filter(
                Q(updated_at__gte=value), Q(updated_at__gt=value) | Q(updated_at=value, pk__gt=pk)
            )
        else:
            notifications = notifications.filter(
                Q(updated_at__lte=value), Q(updated_at__lt=value) | Q(updated_at=value, pk__lt=pk)
            )
    if backward:
        notifications = notifications.order_by("updated_at", "id")
    rows = list(notifications[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if backward:
        rows.reverse()
    return rows, more


def notifications_get_many(*, user: User, pks: list[int]) -> dict[int, Notification]:
    """The person's own notifications by id (another's are never found)."""
    if not user.is_authenticated:
        return {}
    return {
        n.pk: n
        for n in Notification.objects.filter(recipient=user, pk__in=pks).select_related("actor")
    }
