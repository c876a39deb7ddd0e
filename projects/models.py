"""The project showcase: projects with links and tags, stars, feedback, mentor reviews and
revisions.

Rows hold their invariants (constraints) and nothing else: every write, every counter
update and every Markdown render happens in projects/services.py.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify

from accounts.models import Track
from accounts.permissions import hidden_shown_to, is_mentor
from hub.links import LinkField, url_domain
from hub.routes import url_pattern, urls_for

TITLE_MIN, TITLE_MAX = 3, 120
PITCH_MAX = 160
DESCRIPTION_MAX = 20_000
FEEDBACK_MAX = 10_000
FEEDBACK_NOTE_MAX = 280
HIDDEN_REASON_MAX = 500
REVIEW_FIELD_MAX = 10_000
URL_MAX = 500
TAG_MAX_LENGTH = 30
TAGS_PER_PROJECT = 8

#: The program's stack, offered first when tagging (free tags are allowed too).
STACK_TAGS = (
    "python",
    "django",
    "drf",
    "graphql",
    "docker",
    "celery",
    "rabbitmq",
    "redis",
    "postgresql",
    "ci-cd",
    "github-actions",
    "rest",
    "channels",
    "websockets",
    "htmx",
    "pytest",
    "nginx",
    "aws",
)


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden by a mentor"


class ReviewState(models.TextChoices):
    NONE = "none", "No review requested"
    REQUESTED = "requested", "Review requested"
    IN_REVIEW = "in_review", "Being reviewed"
    REVIEWED = "reviewed", "Reviewed"


class Verdict(models.TextChoices):
    LOOKS_GOOD = "looks_good", "Looks good"
    NEEDS_WORK = "needs_work", "Needs work"


PUBLISHED = Q(state=State.PUBLISHED)
AWAITING = Q(state=State.PUBLISHED, review_state__in=[ReviewState.REQUESTED, ReviewState.IN_REVIEW])


def _project_url(pk: int, slug: str) -> str:
    """The project page's URL from a pattern reversed once per process (hub.routes):
    the gallery links every card."""
    return url_pattern("projects:project_detail", slots=2).format(pk, slug)


class ProjectTag(models.Model):
    """A lower-case label (`django`, `celery`, `ci-cd`)."""

    name = models.CharField(max_length=TAG_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        """The gallery filtered by this tag (its route reversed once per process)."""
        return f"{url_pattern('projects:gallery', slots=0)}?tag={self.name}"


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, viewer: object) -> "ProjectQuerySet":
        """Projects the viewer may open: published ones, their own in any state, hidden
        ones for mentors (accounts.permissions.may_see_hidden; a draft is the author's)."""
        visible = PUBLISHED
        if viewer is not None and viewer.is_authenticated:
            visible |= Q(author=viewer)
            if is_mentor(viewer):
                visible |= Q(state=State.HIDDEN)
        return self.filter(visible)


class Project(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(max_length=TITLE_MAX, validators=[MinLengthValidator(TITLE_MIN)])
    pitch = models.CharField(max_length=PITCH_MAX, help_text="One line: what it is, for whom.")
    description = models.TextField(blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    description_html = models.TextField(blank=True, editable=False)
    # The one link rule (hub.links): checked on full_clean, normalised by the services
    # (never fetched).
    repository_url = LinkField(max_length=URL_MAX)
    demo_url = LinkField(max_length=URL_MAX, blank=True)
    docs_url = LinkField(max_length=URL_MAX, blank=True)
    tags = models.ManyToManyField(ProjectTag, related_name="projects", blank=True)
    cohort = models.CharField(max_length=40, blank=True, help_text="e.g. 2026-spring")
    track = models.CharField(max_length=10, choices=Track.choices, blank=True)

    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    hidden_reason = models.CharField(max_length=HIDDEN_REASON_MAX, blank=True, editable=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)

    feedback_wanted = models.BooleanField(default=False)
    feedback_note = models.CharField(
        max_length=FEEDBACK_NOTE_MAX, blank=True, help_text="What would you like feedback on?"
    )
    review_state = models.CharField(
        max_length=10, choices=ReviewState.choices, default=ReviewState.NONE, editable=False
    )
    review_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        help_text="The mentor who claimed the current review.",
    )
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    star_count = models.PositiveIntegerField(default=0, editable=False)
    feedback_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The gallery's "newest" order: the first publication (creation while a draft), never
    # null, so keyset pages over it need no NULL handling.
    listed_at = models.DateTimeField(default=timezone.now, editable=False)
    last_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="project_state_valid"),
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values), name="project_review_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(review_state=ReviewState.IN_REVIEW) | Q(reviewer__isnull=False),
                name="project_in_review_has_reviewer",
            ),
        ]
        indexes = [
            # The gallery's sorts over published projects.
            models.Index(fields=["-listed_at", "-id"], name="p_newest", condition=PUBLISHED),
            models.Index(fields=["-star_count", "-id"], name="p_starred", condition=PUBLISHED),
            models.Index(
                fields=["-last_reviewed_at", "-id"],
                name="p_reviewed",
                condition=PUBLISHED & Q(last_reviewed_at__isnull=False),
            ),
            # Filters: cohort (an equality prefix per sort), feedback wanted (a slice).
            models.Index(
                fields=["cohort", "-listed_at", "-id"], name="p_cohort_newest", condition=PUBLISHED
            ),
            models.Index(
                fields=["cohort", "-star_count", "-id"],
                name="p_cohort_starred",
                condition=PUBLISHED,
            ),
            models.Index(
                fields=["-listed_at", "-id"],
                name="p_feedback_newest",
                condition=PUBLISHED & Q(feedback_wanted=True),
            ),
            models.Index(
                fields=["-star_count", "-id"],
                name="p_feedback_starred",
                condition=PUBLISHED & Q(feedback_wanted=True),
            ),
            # "Mine" and profiles (all states: the author sees drafts).
            models.Index(fields=["author", "-listed_at", "-id"], name="p_author_listed"),
            # Mentors' awaiting-review list, oldest request first.
            models.Index(
                fields=["review_requested_at", "id"], name="p_awaiting", condition=AWAITING
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return _project_url(self.pk, self.slug)

    @cached_property
    def urls(self) -> dict[str, str]:
        """Its action URLs (hub.routes: reversed once per process, not per card)."""
        return urls_for(
            self.pk, {"review": ("projects:review",), "feedback": ("projects:feedback_create",)}
        )

    @property
    def awaits_feedback(self) -> bool:
        """Its author asks for feedback and nobody has given any yet: what the "Feedback
        wanted" badge means (on every card it would tell nothing)."""
        return self.feedback_wanted and not self.feedback_count

    @property
    def slug(self) -> str:
        return slugify(self.title)[:80] or "project"

    @property
    def is_published(self) -> bool:
        return self.state == State.PUBLISHED

    @property
    def links(self) -> list[tuple[str, str, str]]:
        """(label, url, domain) for each link the project has, repository first."""
        pairs = (
            ("Repository", self.repository_url),
            ("Live demo", self.demo_url),
            ("API docs", self.docs_url),
        )
        return [(label, url, url_domain(url)) for label, url in pairs if url]


class ProjectSearch(models.Model):
    """A project's full-text vector (PostgreSQL): title (weight A), tags and pitch (B),
    description (C), in a narrow table as discussions' QuestionSearch is. Kept by the
    services, GIN-indexed by a PostgreSQL-only migration; unused on SQLite (LIKE)."""

    project = models.OneToOneField(
        Project, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    search_vector = SearchVectorField()

    def __str__(self) -> str:
        return f"search vector of project {self.project_id}"


class Star(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stars")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="star_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="star_user_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} starred {self.project_id}"


class FeedbackQuerySet(models.QuerySet):
    def shown_to(self, viewer: object) -> "FeedbackQuerySet":
        """Hidden feedback only for mentors and its author (accounts.permissions'
        may_see_hidden, as a query). Deleted feedback stays: a placeholder for replies."""
        return self.filter(hidden_shown_to(viewer))


class Feedback(models.Model):
    """Feedback on a project, or a reply to feedback (one level deep: the service refuses
    replies to replies)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(validators=[MaxLengthValidator(FEEDBACK_MAX)])
    body_html = models.TextField(editable=False)
    by_mentor = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_deleted = models.BooleanField(default=False, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Hidden by a mentor or by flags (moderation/services.py), like forum posts.
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_reason = models.CharField(max_length=500, blank=True, editable=False)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "feedback"
        indexes = [
            models.Index(fields=["project", "created_at", "id"], name="fb_project_order"),
            models.Index(fields=["author", "-created_at"], name="fb_author_created"),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk} on {self.project_id}"

    def get_absolute_url(self) -> str:
        return f"{self.project.get_absolute_url()}#feedback-{self.pk}"

    @cached_property
    def urls(self) -> dict[str, str]:
        return urls_for(
            self.pk, {"edit": ("projects:feedback_edit",), "delete": ("projects:feedback_delete",)}
        )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Review(models.Model):
    """A mentor's review: made when a mentor claims the project, completed on submit."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(max_length=12, choices=Verdict.choices, blank=True)
    works = models.TextField(blank=True, validators=[MaxLengthValidator(REVIEW_FIELD_MAX)])
    improve = models.TextField(blank=True, validators=[MaxLengthValidator(REVIEW_FIELD_MAX)])
    notes_api_design = models.TextField(
        blank=True, validators=[MaxLengthValidator(REVIEW_FIELD_MAX)]
    )
    notes_data_model = models.TextField(
        blank=True, validators=[MaxLengthValidator(REVIEW_FIELD_MAX)]
    )
    notes_tests = models.TextField(blank=True, validators=[MaxLengthValidator(REVIEW_FIELD_MAX)])
    notes_deployment = models.TextField(
        blank=True, validators=[MaxLengthValidator(REVIEW_FIELD_MAX)]
    )
    # Each non-empty text field above rendered to sanitised HTML, by field name.
    html = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    TEXT_FIELDS = (
        "works",
        "improve",
        "notes_api_design",
        "notes_data_model",
        "notes_tests",
        "notes_deployment",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(completed_at__isnull=True),
                name="review_one_open_per_project",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True)
                | Q(verdict__in=[Verdict.LOOKS_GOOD, Verdict.NEEDS_WORK]),
                name="review_completed_has_verdict",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="review_project_history"),
            models.Index(fields=["reviewer", "-created_at"], name="review_reviewer_recent"),
            # A mentor's profile: their completed reviews, newest first (keyset).
            models.Index(
                fields=["reviewer", "-completed_at", "-id"],
                name="review_reviewer_done",
                condition=Q(completed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.pk} of {self.project_id}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class ProjectRevision(models.Model):
    """Every version of a project's text and links: number 1 is the original."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX)
    pitch = models.CharField(max_length=PITCH_MAX)
    description = models.TextField(blank=True)
    repository_url = LinkField(max_length=URL_MAX)
    demo_url = LinkField(max_length=URL_MAX, blank=True)
    docs_url = LinkField(max_length=URL_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="project_revision_unique")
        ]

    def __str__(self) -> str:
        return f"project {self.project_id} revision {self.number}"


class FeedbackRevision(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["feedback", "number"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "number"], name="feedback_revision_unique")
        ]

    def __str__(self) -> str:
        return f"feedback {self.feedback_id} revision {self.number}"
