"""Flags, the cases they open, mentors' claims, the moderation log, mentor notes and
saved replies.

Targets are generic, a (kind, id) pair, like revisions: flags and log entries point at
questions, answers, comments, projects, feedback and accounts without this app's tables
depending on theirs. `moderation/targets.py` turns a pair back into the object.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from hub.routes import urls_for

REASON_MAX = 500
NOTE_MAX = 2_000
SAVED_REPLY_MAX = 5_000


class TargetKind(models.TextChoices):
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"
    COMMENT = "comment", "Comment"
    PROJECT = "project", "Project"
    FEEDBACK = "feedback", "Feedback"
    USER = "user", "Account"


FLAGGABLE = (
    TargetKind.QUESTION,
    TargetKind.ANSWER,
    TargetKind.COMMENT,
    TargetKind.PROJECT,
    TargetKind.FEEDBACK,
)


class FlagReason(models.TextChoices):
    SPAM = "spam", "Spam"
    ABUSIVE = "abusive", "Abusive or rude"
    OFF_TOPIC = "off_topic", "Off-topic"
    DUPLICATE = "duplicate", "Duplicate"
    OTHER = "other", "Something else"


class Case(models.Model):
    """The open flags on one post, worked as one item of the mentors' queue.

    One open case per post (a partial unique constraint); flags after a resolution open
    a new case.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        AGREED = "agreed", "Agreed: post hidden"
        DISMISSED = "dismissed", "Dismissed"

    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    object_id = models.PositiveBigIntegerField()
    target_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    target_label = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    flag_count = models.PositiveIntegerField(default=0)
    # Set when the flags reached the threshold and hid the post (dismissing unhides it).
    hidden_by_flags = models.BooleanField(default=False)
    opened_at = models.DateTimeField(default=timezone.now)
    last_flagged_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                condition=Q(state="open"),
                name="case_one_open_per_target",
            ),
        ]
        indexes = [
            # The queue's flags tab: open cases, most flagged first, then oldest.
            models.Index(
                fields=["-flag_count", "opened_at", "id"],
                name="case_open_queue",
                condition=Q(state="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.state})"


class Flag(models.Model):
    """One person's report of one post. Once per person per post, ever."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    object_id = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=10, choices=FlagReason.choices)
    # The original's link for "duplicate", the words for "other"; optional otherwise.
    detail = models.CharField(max_length=REASON_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "kind", "object_id"], name="flag_once_per_post"
            ),
        ]
        indexes = [models.Index(fields=["case", "created_at"], name="flag_case_order")]

    def __str__(self) -> str:
        return f"{self.reporter_id} flagged {self.kind} {self.object_id}: {self.reason}"


class QuestionClaim(models.Model):
    """A mentor taking a waiting question, so two mentors do not answer the same one."""

    question = models.OneToOneField(
        "discussions.Question", on_delete=models.CASCADE, related_name="mentor_claim"
    )
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.mentor_id} took question {self.question_id}"


class Action(models.TextChoices):
    AUTO_HIDE = "auto_hide", "Hidden by flags"
    FLAGS_AGREED = "flags_agreed", "Flags agreed"
    FLAGS_DISMISSED = "flags_dismissed", "Flags dismissed"
    PIN = "pin", "Pinned"
    UNPIN = "unpin", "Unpinned"
    LOCK = "lock", "Locked"
    UNLOCK = "unlock", "Unlocked"
    HIDE = "hide", "Hidden"
    UNHIDE = "unhide", "Unhidden"
    MOVE = "move", "Moved"
    DUPLICATE = "duplicate", "Marked duplicate"
    UNDUPLICATE = "unduplicate", "Duplicate mark removed"
    EDIT = "edit", "Edited"
    DELETE = "delete", "Deleted"
    SUSPEND = "suspend", "Suspended"
    UNSUSPEND = "unsuspend", "Suspension lifted"
    GUIDE_CLOSE = "guide_close", "Closed as answered in the guide"
    GUIDE_REOPEN = "guide_reopen", "Reopened from the guide"


class LogEntry(models.Model):
    """One moderation action: who did what to which target, why, when, and what the
    target was before where the action changed it. Never edited, never deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the system acted (flags reaching the threshold).",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    target_kind = models.CharField(max_length=10, choices=TargetKind.choices)
    target_id = models.PositiveBigIntegerField()
    target_label = models.CharField(max_length=200)
    target_url = models.CharField(max_length=300, blank=True)
    # The person whose content or account was touched.
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "log entries"
        indexes = [
            # The log page: newest first, alone or filtered by action, actor or person.
            models.Index(fields=["-created_at", "-id"], name="log_newest"),
            models.Index(fields=["action", "-created_at", "-id"], name="log_action"),
            models.Index(fields=["actor", "-created_at", "-id"], name="log_actor"),
            models.Index(fields=["target_user", "-created_at", "-id"], name="log_target_user"),
            models.Index(fields=["target_kind", "target_id"], name="log_target"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_kind} {self.target_id}"


class MentorNote(models.Model):
    """A note on a question for mentors' eyes only ("I'll take this one")."""

    question = models.ForeignKey(
        "discussions.Question", on_delete=models.CASCADE, related_name="mentor_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(validators=[MaxLengthValidator(NOTE_MAX)])
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["question", "created_at"], name="note_question_order")]

    def __str__(self) -> str:
        return f"Note {self.pk} on question {self.question_id}"


class SavedReply(models.Model):
    """A mentor's own snippet ("please add the full traceback…") to insert into posts."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_replies"
    )
    title = models.CharField(max_length=80)
    body = models.TextField(validators=[MaxLengthValidator(SAVED_REPLY_MAX)])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "title"], name="saved_reply_title_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @cached_property
    def urls(self) -> dict[str, str]:
        return urls_for(
            self.pk,
            {
                "edit": ("moderation:saved_reply_edit",),
                "delete": ("moderation:saved_reply_delete",),
            },
        )
