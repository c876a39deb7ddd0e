"""Reads of notifications for the bell, the dropdown and the list."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

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


EMAIL_MODES = EmailMode.choices
