"""The reference guide: one guide per program topic, made of ordered sections.

A section's Markdown is stored as written and rendered once, on save, by hub's renderer.
Every change is a revision (who, when, a note); reviews, proposed edits, "was this
helpful?" votes and the links to the questions that led to a section sit beside it.
Rows hold invariants only: every write is in guides/services.py.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from hub.routes import url_pattern, urls_for

SECTION_TITLE_MIN, SECTION_TITLE_MAX = 3, 120
SECTION_BODY_MAX = 40_000
NOTE_MAX = 300
VERSIONS_MAX = 8
VERSION_RE = re.compile(r"^(?P<name>[A-Za-z][\w .+#/-]*?)\s+(?P<number>\d+(?:\.\d+)*)$")


def _guide_url(slug: str) -> str:
    return url_pattern("guides:guide_detail").format(slug)


class Guide(models.Model):
    """The guide of one program topic: a discussions category, or a theme that spans them
    (the program's challenges, best practices) with no category of its own."""

    category = models.OneToOneField(
        "discussions.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guide",
    )
    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=100)
    summary = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return _guide_url(self.slug)


class Section(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(
        max_length=SECTION_TITLE_MAX, validators=[MinLengthValidator(SECTION_TITLE_MIN)]
    )
    # Set once, when the section is created: links keep working when the title changes.
    anchor = models.SlugField(max_length=80)
    body = models.TextField(validators=[MaxLengthValidator(SECTION_BODY_MAX)])
    body_html = models.TextField(editable=False)
    body_text = models.TextField(editable=False, blank=True)
    # The library versions the section applies to: ["Django 6.1", "DRF 3.18"].
    versions = models.JSONField(default=list, blank=True)
    revision_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    helpful_yes = models.PositiveIntegerField(default=0, editable=False)
    helpful_no = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["guide", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "anchor"], name="section_anchor_unique"),
        ]
        indexes = [
            models.Index(fields=["guide", "position", "id"], name="section_order"),
            models.Index(fields=["-updated_at"], name="section_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{_guide_url(self.guide.slug)}#{self.anchor}"

    @cached_property
    def urls(self) -> dict[str, str]:
        """Its action URLs (hub.routes: reversed once per process, not per section)."""
        return urls_for(
            self.pk,
            {
                "edit": ("guides:section_edit",),
                "history": ("guides:section_history",),
                "review": ("guides:section_review",),
                "helpful": ("guides:helpful",),
            },
        )

    @property
    def reviewed_or_created_at(self):
        return self.last_reviewed_at or self.created_at


class SectionSearch(models.Model):
    """A section's full-text vector (PostgreSQL; GIN-indexed by a PostgreSQL-only
    migration), kept by the services like discussions' QuestionSearch."""

    section = models.OneToOneField(
        Section, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    search_vector = SearchVectorField()

    def __str__(self) -> str:
        return f"search vector of section {self.section_id}"


class RevisionKind(models.TextChoices):
    CREATED = "created", "Written"
    EDITED = "edited", "Edited"
    PROPOSAL = "proposal", "Proposed edit accepted"
    REVERTED = "reverted", "Reverted"
    PROMOTED = "promoted", "Answer added"


class SectionRevision(models.Model):
    """Every version of a section: the first is the original, one more per change."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=RevisionKind.choices)
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Whose words these are, when not the editor's (an accepted proposal, a promoted answer).
    credited = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=SECTION_TITLE_MAX)
    body = models.TextField()
    versions = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["section", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="section_revision_unique")
        ]

    def __str__(self) -> str:
        return f"section {self.section_id} revision {self.number}"

    @property
    def revert_url(self) -> str:
        return url_pattern("guides:section_revert", slots=2).format(self.section_id, self.number)


class SectionReview(models.Model):
    """A mentor read the section and vouches for it as of now."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    revision_number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["section", "-created_at"], name="review_section_recent")]

    def __str__(self) -> str:
        return f"review of {self.section_id} by {self.reviewer_id}"


class ProposalState(models.TextChoices):
    OPEN = "open", "Waiting for a mentor"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class EditProposal(models.Model):
    """A learner's proposed edit: the full proposed text, a note, and the revision it was
    written against (the diff is computed from those)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="proposals")
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(
        max_length=SECTION_TITLE_MAX, validators=[MinLengthValidator(SECTION_TITLE_MIN)]
    )
    body = models.TextField(validators=[MaxLengthValidator(SECTION_BODY_MAX)])
    note = models.CharField(max_length=NOTE_MAX)
    base_revision = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=ProposalState.choices, default="open")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="proposal_open", condition=Q(state="open")),
            models.Index(fields=["section", "state"], name="proposal_section_state"),
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk} on {self.section_id}"

    def get_absolute_url(self) -> str:
        return url_pattern("guides:proposal_detail").format(self.pk)


class HelpfulVote(models.Model):
    """ "Was this helpful?" One answer per person per section; a "no" with a note waits in
    the mentors' queue until one of them marks it handled."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "user"], name="helpful_once"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="helpful_waiting",
                condition=Q(helpful=False, handled_at__isnull=True) & ~Q(note=""),
            )
        ]

    def __str__(self) -> str:
        return f"{'yes' if self.helpful else 'no'} on {self.section_id} by {self.user_id}"

    @property
    def handled_url(self) -> str:
        """Where a mentor marks the note handled (reversed once per process)."""
        return url_pattern("guides:feedback_handle").format(self.pk)


class LinkKind(models.TextChoices):
    PROMOTED = "promoted", "Answer added to the guide"
    ANSWERED = "answered", "Closed as answered in the guide"


class SectionQuestion(models.Model):
    """Provenance, both ways: a question that led to a section (its answer was added, or
    a mentor closed it as answered there). The thread reads it to say "This answer is
    part of the guide"; the section lists its "Questions that led here"."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="question_links")
    question = models.ForeignKey("discussions.Question", on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(
        "discussions.Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "answer"],
                name="answer_promoted_once_per_section",
                condition=Q(answer__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["question"],
                name="question_answered_in_guide_once",
                condition=Q(kind="answered"),
            ),
        ]
        indexes = [
            models.Index(fields=["question"], name="link_question"),
            models.Index(fields=["section", "-created_at"], name="link_section"),
        ]

    def __str__(self) -> str:
        return f"question {self.question_id} -> section {self.section_id} ({self.kind})"
