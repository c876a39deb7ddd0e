"""Every write to notifications. Other apps' services call `notify` inside their own
transaction; rows are written now, and after commit each recipient's tabs hear about it
(the live `user:<id>` topic) and immediate emails are queued.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from notifications import events, tasks
from notifications.models import (
    DEFAULT_EMAIL_MODE,
    EmailMode,
    Kind,
    Mute,
    Notification,
    Preference,
)

_emails_paused: ContextVar[bool] = ContextVar("notification_emails_paused", default=False)


@contextmanager
def emails_paused() -> Iterator[None]:
    """Notify in the app only, no emails (demo data fills a forum without mailing it)."""
    token = _emails_paused.set(True)
    try:
        yield
    finally:
        _emails_paused.reset(token)


def email_modes(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    chosen = dict(
        Preference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "email_mode"
        )
    )
    default = DEFAULT_EMAIL_MODE.get(kind, EmailMode.DAILY)
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    actor: User | None,
    target_key: str,
    target_title: str,
    url: str,
    count: int | None = None,
) -> list[Notification]:
    """Tell `recipients` that `actor` did `kind` on `target_key`. Nobody hears of their own
    action, muted threads stay quiet, and a repeat on a thread with an unread
    notification of this kind updates that one ("5 new answers") instead of adding rows;
    its email, if already sent, is not sent again. `count` sets the number outright
    (vote milestones)."""
    ids = {u.pk for u in recipients if u is not None and u.is_active}
    if actor is not None:
        ids.discard(actor.pk)
    if ids:
        ids -= set(
            Mute.objects.filter(user_id__in=ids, target_key=target_key).values_list(
                "user_id", flat=True
            )
        )
    if not ids:
        return []
    now = timezone.now()
    existing = {
        n.recipient_id: n
        for n in Notification.objects.select_for_update().filter(
            recipient_id__in=ids, kind=kind, target_key=target_key, is_read=False
        )
    }
    touched: list[Notification] = []
    if existing:
        Notification.objects.filter(pk__in=[n.pk for n in existing.values()]).update(
            count=count if count is not None else F("count") + 1,
            actor=actor,
            updated_at=now,
            url=url,
            target_title=target_title[:200],
        )
        touched.extend(existing.values())
    modes = email_modes(ids - set(existing), kind)
    fresh = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            actor=actor,
            target_key=target_key,
            target_title=target_title[:200],
            url=url,
            count=count or 1,
            created_at=now,
            updated_at=now,
            email_mode=mode,
        )
        for user_id, mode in modes.items()
    ]
    try:
        with transaction.atomic():
            touched.extend(Notification.objects.bulk_create(fresh))
    except IntegrityError:
        # A concurrent notify made the unread row first: coalesce into it instead.
        for n in fresh:
            Notification.objects.filter(
                recipient_id=n.recipient_id, kind=kind, target_key=target_key, is_read=False
            ).update(count=F("count") + 1, updated_at=now, actor=actor)
    ids_touched = [n.pk for n in touched if n.pk]
    transaction.on_commit(lambda: events.notifications_arrived(ids_touched), robust=True)
    if settings.NEXUS_NOTIFICATION_EMAILS and not _emails_paused.get():
        # Bounded and after commit: a broker outage leaves rows unsent for the sweep.
        transaction.on_commit(lambda: tasks.enqueue_emails(ids_touched), robust=True)
    return touched


# Up-votes worth telling someone about: a first vote is not news, these are.
VOTE_MILESTONES = (5, 10, 25, 50, 100)


def is_vote_milestone(score: int) -> bool:
    """5, 10, 25, 50, 100, then every hundred."""
    return score in VOTE_MILESTONES or (score > 100 and score % 100 == 0)


@transaction.atomic
def vote_milestone_notify(
    *, recipient: User, target_key: str, target_title: str, url: str, score: int
) -> list[Notification]:
    """Tell `recipient` their post reached `score` up-votes, when that is a milestone and
    they were not told of it (or a higher one) already: a vote taken back and given again
    does not announce the same milestone twice."""
    if not is_vote_milestone(score):
        return []
    told = Notification.objects.filter(
        recipient=recipient, target_key=target_key, kind=Kind.VOTE_MILESTONE, count__gte=score
    ).exists()
    if told:
        return []
    return notify(
        recipients=[recipient],
        kind=Kind.VOTE_MILESTONE,
        actor=None,
        target_key=target_key,
        target_title=target_title,
        url=url,
        count=score,
    )


@transaction.atomic
def notifications_read_for_targets(*, user: User, target_keys: Iterable[str]) -> int:
    """Mark the person's unread notifications about these things read: they are looking at
    them (a thread page, a project page); their tabs' bells hear of it. One indexed SELECT,
    and an UPDATE only when there is something to mark: any SQL write makes the visitors'
    cached pages new (hub/page_cache.py), and most views have nothing unread."""
    keys = sorted(set(target_keys))
    if not (user.is_authenticated and keys):
        return 0
    unread = list(
        Notification.objects.filter(recipient=user, target_key__in=keys, is_read=False).values_list(
            "pk", flat=True
        )
    )
    if not unread:
        return 0
    marked = Notification.objects.filter(pk__in=unread, is_read=False).update(is_read=True)
    if marked:
        transaction.on_commit(lambda: events.unread_changed(user.pk), robust=True)
    return marked


@transaction.atomic
def notification_read(*, user: User, notification: Notification) -> None:
    if notification.recipient_id != user.pk:
        return
    Notification.objects.filter(pk=notification.pk, is_read=False).update(is_read=True)
    transaction.on_commit(lambda: events.unread_changed(user.pk), robust=True)


@transaction.atomic
def notifications_read_all(*, user: User) -> int:
    marked = Notification.objects.filter(recipient=user, is_read=False).update(is_read=True)
    transaction.on_commit(lambda: events.unread_changed(user.pk), robust=True)
    return marked


@transaction.atomic
def mute_set(*, user: User, target_key: str, muted: bool) -> bool:
    if muted:
        Mute.objects.get_or_create(user=user, target_key=target_key)
    else:
        Mute.objects.filter(user=user, target_key=target_key).delete()
    return muted


@transaction.atomic
def preference_set(*, user: User, kind: str, email_mode: str) -> Preference:
    if email_mode not in EmailMode.values:
        raise ValueError(f"Unknown email mode {email_mode!r}")
    preference, _ = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"email_mode": email_mode}
    )
    # Unsent rows of this kind follow the new choice (an "off" stops a pending email).
    Notification.objects.filter(recipient=user, kind=kind, emailed_at__isnull=True).update(
        email_mode=email_mode
    )
    return preference
