"""Questions, answers and comments, with votes, follows, revisions and mentions.

Rows hold their invariants (constraints) and nothing else: every write and every counter
update happens in discussions/services.py.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify

from accounts.permissions import hidden_shown_to
from hub.routes import url_pattern, urls_for

TITLE_MIN, TITLE_MAX = 15, 150
BODY_MAX = 20_000
COMMENT_MAX = 600
TAG_MAX_LENGTH = 30
TAGS_PER_QUESTION = 5
LIVE = Q(is_deleted=False)


def _urls(pk: int, names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """This app's action URLs of one row (hub.routes: reversed once per process)."""
    return urls_for(
        pk, {key: (f"discussions:{name}", *args) for key, (name, *args) in names.items()}
    )


class Category(models.Model):
    """A topic of the program (Python, Django, ...). Admins manage them."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=240, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        indexes = [models.Index(fields=["position", "name"], name="discussions_category_order")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("discussions:question_list") + f"?category={self.slug}"


class Tag(models.Model):
    """A lower-case label (`django-orm`, `celery`); at most five on a question."""

    name = models.CharField(max_length=TAG_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostQuerySet(models.QuerySet):
    """Who sees what, as queries (the rule is accounts.permissions.may_see_hidden): usable
    from any relation (`project.questions.visible_to(viewer)`) without importing selectors."""

    def shown_to(self, viewer: object) -> "PostQuerySet":
        """Hidden rows only for mentors and their authors."""
        return self.filter(hidden_shown_to(viewer))

    def visible_to(self, viewer: object) -> "PostQuerySet":
        """Rows the viewer may open: not deleted, and not hidden unless theirs or a
        mentor's to see."""
        return self.filter(hidden_shown_to(viewer), is_deleted=False)


class Post(models.Model):
    """What questions, answers and comments share: an author, Markdown stored as written
    and rendered once on save, and soft deletion."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(validators=[MaxLengthValidator(BODY_MAX)])
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_deleted = models.BooleanField(default=False, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Hidden by a mentor, or by flags pending a mentor's review (moderation/services.py):
    # gone for learners, shown marked to mentors and the author.
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_reason = models.CharField(max_length=500, blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Question(Post):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="questions")
    title = models.CharField(max_length=TITLE_MAX, validators=[MinLengthValidator(TITLE_MIN)])
    excerpt = models.CharField(max_length=300, blank=True, editable=False)
    tags = models.ManyToManyField(Tag, related_name="questions", blank=True)
    score = models.IntegerField(default=0, editable=False)
    answer_count = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    accepted_answer = models.OneToOneField(
        "Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    has_mentor_answer = models.BooleanField(default=False, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now, editable=False)
    # "Asked about this project": the project page lists its questions through this.
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    # Moderation state (written by moderation/services.py only).
    pinned_at = models.DateTimeField(null=True, blank=True, editable=False)
    locked_at = models.DateTimeField(null=True, blank=True, editable=False)
    lock_reason = models.CharField(max_length=500, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    # "Ask a mentor": the asker's request, which leads the mentors' needs-a-mentor queue.
    mentor_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The first answer or comment by a mentor: the queue's time-to-first-response figures.
    first_mentor_response_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_mentor_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        indexes = [
            # Each list order, alone and within a category, over live questions only.
            models.Index(fields=["-created_at", "-id"], name="q_newest", condition=LIVE),
            models.Index(fields=["-last_activity_at", "-id"], name="q_active", condition=LIVE),
            models.Index(fields=["-score", "-id"], name="q_top", condition=LIVE),
            models.Index(
                fields=["category", "-created_at", "-id"], name="q_cat_newest", condition=LIVE
            ),
            models.Index(
                fields=["category", "-last_activity_at", "-id"],
                name="q_cat_active",
                condition=LIVE,
            ),
            models.Index(fields=["category", "-score", "-id"], name="q_cat_top", condition=LIVE),
            # The two "waiting" filters are small slices: partial indexes per order.
            *[
                models.Index(
                    fields=[order, "-id"], name=f"q_{slice_name}_{suffix}", condition=LIVE & extra
                )
                for slice_name, extra in (
                    ("unanswered", Q(answer_count=0)),
                    ("needs_mentor", Q(has_mentor_answer=False)),
                )
                for suffix, order in (
                    ("new", "-created_at"),
                    ("act", "-last_activity_at"),
                    ("top", "-score"),
                )
            ],
            # "Mine", a profile's questions (keyset by created_at, id) and the posting rate limit.
            models.Index(fields=["author", "-created_at", "-id"], name="q_author_created"),
            # Pinned questions lead their category; the mentors' queue and its figures.
            models.Index(
                fields=["category", "-pinned_at"],
                name="q_cat_pinned",
                condition=LIVE & Q(pinned_at__isnull=False),
            ),
            models.Index(
                fields=["mentor_requested_at", "created_at", "id"],
                name="q_waiting_mentor",
                condition=LIVE & Q(has_mentor_answer=False),
            ),
            models.Index(
                fields=["first_mentor_response_at"],
                name="q_first_mentor_response",
                condition=Q(first_mentor_response_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return url_pattern("discussions:question_detail", slots=2).format(self.pk, self.slug)

    @property
    def slug(self) -> str:
        return slugify(self.title)[:80] or "question"

    @property
    def is_answered(self) -> bool:
        return self.accepted_answer_id is not None

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of_id is not None

    @cached_property
    def urls(self) -> dict[str, str]:
        return _urls(
            self.pk,
            {
                "vote": ("question_vote",),
                "follow": ("question_follow",),
                "edit": ("question_edit",),
                "delete": ("question_delete",),
                "answer": ("answer_create",),
                "comment": ("comment_create", "question"),
                "revisions": ("revisions", "question"),
            },
        )


class QuestionSearch(models.Model):
    """The full-text search vector of a live question (PostgreSQL), in a narrow table of
    its own: ranking a common word reads thousands of rows, and (id, vector) rows are a
    small fraction of questions with their bodies (bench/pages.py: 32 ms -> 8.5 ms).
    Kept by the services, GIN-indexed by a PostgreSQL-only migration; unused on SQLite,
    where search falls back to LIKE."""

    # search_row: the search ranks a page's matches with one LEFT JOIN to this row.
    question = models.OneToOneField(
        Question, primary_key=True, on_delete=models.CASCADE, related_name="search_row"
    )
    search_vector = SearchVectorField()
    # A copy of the question's score (vote_toggle keeps it): the ranking's tie-break, so the
    # best matches of a common word are found in this table alone (docs/decisions/0022).
    score = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"search vector of {self.question_id}"


class Answer(Post):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    score = models.IntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # The author's role when they answered: a badge that does not change with later roles.
    by_mentor = models.BooleanField(default=False, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["question", "-score", "created_at"], name="a_question_order"),
            # A profile's answers (keyset by created_at, id), its counts and topics.
            models.Index(fields=["author", "-created_at", "-id"], name="a_author_created"),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk} to {self.question_id}"

    def get_absolute_url(self) -> str:
        return f"{self.question.get_absolute_url()}#answer-{self.pk}"

    @cached_property
    def urls(self) -> dict[str, str]:
        return _urls(
            self.pk,
            {
                "vote": ("answer_vote",),
                "accept": ("answer_accept",),
                "edit": ("answer_edit",),
                "delete": ("answer_delete",),
                "comment": ("comment_create", "answer"),
                "revisions": ("revisions", "answer"),
            },
        )


class Comment(Post):
    """A short remark on a question or on an answer (exactly one of the two)."""

    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="comment_on_one_post",
            )
        ]
        indexes = [
            models.Index(fields=["question", "created_at"], name="c_question_order"),
            models.Index(fields=["answer", "created_at"], name="c_answer_order"),
            models.Index(fields=["author", "-created_at"], name="c_author_created"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk}"

    @property
    def thread_question_id(self) -> int:
        return self.question_id or self.answer.question_id

    @cached_property
    def urls(self) -> dict[str, str]:
        return _urls(self.pk, {"edit": ("comment_edit",), "delete": ("comment_delete",)})


class Vote(models.Model):
    """An up-vote ("this helped") on a question or an answer. There are no down-votes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # NULLs are distinct, so each constraint only bites on its own kind of post.
            models.UniqueConstraint(fields=["user", "question"], name="vote_once_per_question"),
            models.UniqueConstraint(fields=["user", "answer"], name="vote_once_per_answer"),
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="vote_on_one_post",
            ),
        ]

    def __str__(self) -> str:
        return f"Vote by {self.user_id} on {self.question_id or self.answer_id}"


class Follow(models.Model):
    """Someone follows a question (askers and answerers automatically)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="follow_once"),
        ]
        indexes = [models.Index(fields=["question"], name="follow_question")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.question_id}"


class Watch(models.Model):
    """Someone watches a category or a tag: new questions there notify them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    tag = models.ForeignKey(
        Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="watch_category_once"),
            models.UniqueConstraint(fields=["user", "tag"], name="watch_tag_once"),
            models.CheckConstraint(
                condition=Q(category__isnull=False, tag__isnull=True)
                | Q(category__isnull=True, tag__isnull=False),
                name="watch_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.category_id or self.tag_id}"


class PostKind(models.TextChoices):
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"
    COMMENT = "comment", "Comment"


class Revision(models.Model):
    """Every version of a post: the first is the original, one more for each edit."""

    kind = models.CharField(max_length=10, choices=PostKind.choices)
    post_id = models.PositiveBigIntegerField()
    number = models.PositiveIntegerField()
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "post_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "post_id", "number"], name="revision_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.post_id} revision {self.number}"


class Mention(models.Model):
    """An @handle in a post, recorded for the notifications that read it."""

    kind = models.CharField(max_length=10, choices=PostKind.choices)
    post_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "post_id", "user"], name="mention_once")
        ]

    def __str__(self) -> str:
        return f"@{self.user_id} in {self.kind} {self.post_id}"
