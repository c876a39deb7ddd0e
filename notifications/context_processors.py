from django.http import HttpRequest

from notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict:
    """The unread count in the nav: one indexed count, only for signed-in pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: unread_count(user=user)}
