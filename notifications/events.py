"""Live news for a person's own tabs (the `user:<id>` topic): the bell's unread count,
and a toast for what just arrived."""

from django.db.models import Count, Q
from django.template.loader import render_to_string

from accounts.events import user_topic
from hub import live


def _unread_counts(user_ids: list[int]) -> dict[int, int]:
    from notifications.models import Notification

    rows = (
        Notification.objects.filter(recipient_id__in=user_ids)
        .values("recipient_id")
        .annotate(unread=Count("pk", filter=Q(is_read=False)))
    )
    counts = {user_id: 0 for user_id in user_ids}
    counts.update({row["recipient_id"]: row["unread"] for row in rows})
    return counts


def notifications_arrived(notification_ids: list[int]) -> None:
    from notifications.models import Notification

    notifications = list(
        Notification.objects.filter(pk__in=notification_ids).select_related("actor")
    )
    counts = _unread_counts(sorted({n.recipient_id for n in notifications}))
    live.publish_many(
        [
            (
                user_topic(n.recipient_id),
                render_to_string(
                    "notifications/live.html#arrived",
                    {"notification": n, "unread": counts[n.recipient_id]},
                ),
                {"name": "notification.received", "id": n.pk},
            )
            for n in notifications
        ]
    )


def unread_changed(user_id: int) -> None:
    html = render_to_string(
        "notifications/live.html#bell-count", {"unread": _unread_counts([user_id])[user_id]}
    )
    live.publish(user_topic(user_id), html)
