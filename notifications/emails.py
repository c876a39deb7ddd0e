"""Notification emails: one per immediate notification, one digest per person per period.

Each send is the exactly-once step of its task. The rows are locked (`select_for_update`),
the sent-marker (`emailed_at`) is checked, the email goes out and the marker is set in the
same transaction, so a retried, re-queued or swept task finds the marker and sends nothing.
A send error rolls the marker back and propagates: the task retries. The one window left
is a crash after the mail server accepted the message and before COMMIT: the retry then
sends again (at least once rather than at most once; an email lost is worse than a repeat).
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypedDict

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from notifications import unsubscribe
from notifications.models import EmailMode, Kind, Notification
from notifications.text import notification_message

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DIGEST_PERIODS = {EmailMode.DAILY: timedelta(days=1), EmailMode.WEEKLY: timedelta(days=7)}
# A digest lists this many notifications and counts the rest ("and 12 more").
DIGEST_LIMIT = 50


class DigestExtra(TypedDict):
    title: str
    url: str


# Other apps add to a digest without this app importing them: each hook returns, for one
# person, links to list under DIGEST_EXTRAS_TITLE (discussions registers its unanswered
# questions where the person watches). A failing hook is logged and skipped.
DIGEST_EXTRAS: list[Callable[[User], list[DigestExtra]]] = []
DIGEST_EXTRAS_TITLE = "Unanswered questions where you watch"


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    base = getattr(settings, "NEXUS_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def unsubscribe_url(user_id: int, kind: str) -> str:
    token = unsubscribe.make_token(user_id, kind)
    return absolute_url(reverse("notifications:unsubscribe", kwargs={"token": token}))


def _url_or_home(name: str) -> str:
    try:
        return absolute_url(reverse(name))
    except NoReverseMatch:
        return absolute_url("/")


def _one_line(text: str, limit: int = 150) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _email(
    *, user: User, subject: str, template: str, context: dict, list_unsubscribe: str
) -> EmailMultiAlternatives:
    context = {
        "site_name": getattr(settings, "NEXUS_SITE_NAME", "Nexus"),
        "home_url": absolute_url("/"),
        "settings_url": _url_or_home("notifications:preferences"),
        "unsubscribe_url": list_unsubscribe,
        "user": user,
        **context,
    }
    message = EmailMultiAlternatives(
        subject=_one_line(subject),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[user.email],
        headers={
            # RFC 8058: mail clients show an "Unsubscribe" button that POSTs to this URL.
            "List-Unsubscribe": f"<{list_unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    return message


def _send(message: EmailMultiAlternatives) -> None:
    # Django 6.1's mailers API (the non-deprecated form of get_connection() + send()).
    # Errors propagate (fail_silently is gone): the caller's task retries.
    mail.mailers.default.send_messages([message])


def notification_email(n: Notification) -> EmailMultiAlternatives:
    message = notification_message(n)
    return _email(
        user=n.recipient,
        subject=f"{message}: {n.target_title}",
        template="notification",
        context={
            "notification": n,
            "message": message,
            "kind_label": Kind(n.kind).label if n.kind in Kind.values else n.kind,
            "target_title": n.target_title,
            "target_url": absolute_url(n.url),
            "unsubscribe_all_url": unsubscribe_url(n.recipient_id, unsubscribe.ALL),
        },
        list_unsubscribe=unsubscribe_url(n.recipient_id, n.kind),
    )


def notification_email_send(notification_id: int) -> bool:
    """Email one immediate notification unless it was sent already; True if sent now."""
    with transaction.atomic():
        n = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "actor")
            .filter(pk=notification_id)
            .first()
        )
        if (
            n is None
            or n.emailed_at is not None
            or n.email_mode != EmailMode.IMMEDIATE
            or not n.recipient.is_active
            or not n.recipient.email
        ):
            return False
        _send(notification_email(n))
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
    return True


def _digest_extras(user: User) -> list[DigestExtra]:
    extras: list[DigestExtra] = []
    for hook in DIGEST_EXTRAS:
        try:
            extras.extend(hook(user))
        except Exception:  # another app's hook must not stop the digest
            logger.exception("Digest hook %r failed for user %s", hook, user.pk)
    return [{"title": e["title"], "url": absolute_url(e["url"])} for e in extras]


def digest_send(user_id: int, mode: str) -> bool:
    """Email `user_id` one digest of their unsent `mode` ("daily"/"weekly") notifications
    of the period, and mark them all sent; True if an email went out."""
    period = DIGEST_PERIODS[EmailMode(mode)]
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.email:
            return False
        rows = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("actor")
            .filter(
                recipient_id=user_id,
                email_mode=mode,
                emailed_at__isnull=True,
                updated_at__gte=now - period,
            )
            .order_by("-updated_at", "-id")
        )
        if not rows:
            return False
        items = [
            {
                "message": notification_message(n),
                "target_title": n.target_title,
                "url": absolute_url(n.url),
                "when": n.updated_at,
            }
            for n in rows[:DIGEST_LIMIT]
        ]
        label = "daily" if mode == EmailMode.DAILY else "weekly"
        total = len(rows)
        _send(
            _email(
                user=user,
                subject=f"Your {label} Nexus digest: {total} update{'s' if total != 1 else ''}",
                template="digest",
                context={
                    "label": label,
                    "items": items,
                    "total": total,
                    "more": total - len(items),
                    "extras": _digest_extras(user),
                    "extras_title": DIGEST_EXTRAS_TITLE,
                    "notifications_url": _url_or_home("notifications:list"),
                },
                # A digest mixes kinds: its one-click unsubscribe stops all Nexus email.
                list_unsubscribe=unsubscribe_url(user_id, unsubscribe.ALL),
            )
        )
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)
    return True
