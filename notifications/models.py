"""Notification rows: the record of truth for the bell, the list and every email.

Targets are generic: a notification carries the key of what it is about (`question:42`,
used to coalesce repeats and to mute a thread), the URL to open and a title to show, so
this app knows nothing of the apps that notify.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from hub.routes import urls_for


class Kind(models.TextChoices):
    ANSWER_ON_QUESTION = "answer_on_question", "An answer to your question"
    COMMENT_ON_POST = "comment_on_post", "A comment on your post"
    ANSWER_ON_FOLLOWED = "answer_on_followed", "An answer on a question you follow"
    QUESTION_IN_WATCHED = "question_in_watched", "A new question where you watch"
    MENTION = "mention", "Someone mentioned you"
    ANSWER_ACCEPTED = "answer_accepted", "Your answer was accepted"
    VOTE_MILESTONE = "vote_milestone", "Up-votes on your post"
    PROJECT_FEEDBACK = "project_feedback", "Feedback on your project"
    FEEDBACK_REPLY = "feedback_reply", "A reply to your feedback on a project"
    PROJECT_REVIEW = "project_review", "A mentor review of your project"
    MODERATION = "moderation", "A moderation action on your content"
    GUIDE = "guide", "Your words in the guide (edits, answers added)"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Off"


# What a person gets until they choose otherwise.
DEFAULT_EMAIL_MODE = {
    Kind.ANSWER_ON_QUESTION: EmailMode.IMMEDIATE,
    Kind.COMMENT_ON_POST: EmailMode.DAILY,
    Kind.ANSWER_ON_FOLLOWED: EmailMode.DAILY,
    Kind.QUESTION_IN_WATCHED: EmailMode.DAILY,
    Kind.MENTION: EmailMode.IMMEDIATE,
    Kind.ANSWER_ACCEPTED: EmailMode.IMMEDIATE,
    Kind.VOTE_MILESTONE: EmailMode.WEEKLY,
    Kind.PROJECT_FEEDBACK: EmailMode.IMMEDIATE,
    Kind.FEEDBACK_REPLY: EmailMode.IMMEDIATE,
    Kind.PROJECT_REVIEW: EmailMode.IMMEDIATE,
    Kind.MODERATION: EmailMode.IMMEDIATE,
    Kind.GUIDE: EmailMode.DAILY,
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The latest person whose action this reports (several, when coalesced).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_key = models.CharField(max_length=60)
    target_title = models.CharField(max_length=200)
    url = models.CharField(max_length=300)
    count = models.PositiveIntegerField(default=1)
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Email: the mode decided when the row was made, and the sent-marker that makes every
    # retry or duplicate delivery of the task send nothing twice.
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-updated_at", "-id"], name="n_recipient_list"),
            models.Index(
                fields=["recipient", "-updated_at", "-id"],
                name="n_recipient_unread",
                condition=Q(is_read=False),
            ),
            # Viewing a thing marks its notifications read; milestones told already.
            models.Index(fields=["recipient", "target_key"], name="n_recipient_target"),
            # The email sweep and the digests: unsent rows by mode.
            models.Index(
                fields=["email_mode", "updated_at"],
                name="n_email_due",
                condition=Q(emailed_at__isnull=True),
            ),
        ]
        constraints = [
            # One unread row per thing per kind per person: repeats coalesce into it.
            models.UniqueConstraint(
                fields=["recipient", "kind", "target_key"],
                condition=Q(is_read=False),
                name="n_one_unread_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.target_title}"

    @cached_property
    def urls(self) -> dict[str, str]:
        return urls_for(self.pk, {"open": ("notifications:open",)})

    @property
    def message(self) -> str:
        from notifications.text import notification_message

        return notification_message(self)


class Preference(models.Model):
    """How a person wants one kind of notification by email (in-app is always on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email_mode}"


class Mute(models.Model):
    """A thread someone wants no more notifications about."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target_key = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "target_key"], name="mute_once")]

    def __str__(self) -> str:
        return f"{self.user_id} muted {self.target_key}"
