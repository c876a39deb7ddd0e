"""Every write to projects. HTML views, the APIs and commands call these; none of them
writes to the database itself.

Refusals raise Django's own exceptions, as discussions does: `PermissionDenied(message)`
(403, or a message on the page) and `ValidationError` with per-field messages (form
errors, 400). Each write runs in one transaction; counters move with F() inside it; live
events and notification side effects run on commit.
"""

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Value
from django.utils import timezone

from accounts.models import Track, User
from accounts.permissions import require_writer
from hub import hooks
from hub.errors import Conflict
from hub.links import link_validate
from hub.markdown import render_markdown
from hub.services import after_commit, clean, require
from notifications.models import Kind
from notifications.services import notify
from projects import events, permissions
from projects.models import (
    FEEDBACK_NOTE_MAX,
    TAG_MAX_LENGTH,
    TAGS_PER_PROJECT,
    Feedback,
    FeedbackRevision,
    Project,
    ProjectRevision,
    ProjectSearch,
    ProjectTag,
    Review,
    ReviewState,
    Star,
    State,
    Verdict,
)

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9+#.-]*$")
URL_FIELDS = ("repository_url", "demo_url", "docs_url")


# Domain hooks (hub.hooks) projects emits; apps above it subscribe in their ready():
#   projects.queue_changed     the projects awaiting a mentor's review changed (on commit)
#   projects.feedback_removed  a mentor deleted someone else's feedback, in the
#                              transaction: actor, feedback (moderation logs it and tells
#                              the author, as it does for every action on others' posts)
#   projects.feedback_created  feedback (or a reply) was posted, in the transaction:
#                              feedback, project
#   projects.review_submitted  a mentor submitted a review, in the transaction: review,
#                              project (webhooks record their deliveries with the write)
QUEUE_CHANGED = "projects.queue_changed"
FEEDBACK_REMOVED = "projects.feedback_removed"
FEEDBACK_CREATED = "projects.feedback_created"
REVIEW_SUBMITTED = "projects.review_submitted"


def _queue_changed() -> None:
    after_commit(hooks.emit, QUEUE_CHANGED)


def _html(source: str) -> str:
    """Markdown rendered once, when saved (pages never render)."""
    return render_markdown(source).html if source.strip() else ""


# --- Tags and links --------------------------------------------------------------------


def tags_normalize(raw: str | Iterable[str]) -> list[str]:
    """`"Django, #DRF  celery"` -> `["django", "drf", "celery"]`; ValidationError if bad."""
    parts = re.split(r"[,\s]+", raw) if isinstance(raw, str) else list(raw)
    names: list[str] = []
    for part in parts:
        name = part.strip().lstrip("#").lower()
        if not name or name in names:
            continue
        if len(name) > TAG_MAX_LENGTH or not TAG_RE.match(name):
            raise ValidationError(
                {
                    "tags": f"“{name[:40]}” is not a tag: use lower-case letters, digits and "
                    f"+ # . - (at most {TAG_MAX_LENGTH} characters)."
                }
            )
        names.append(name)
    if len(names) > TAGS_PER_PROJECT:
        raise ValidationError({"tags": f"At most {TAGS_PER_PROJECT} tags, please."})
    return names


def _tags_get_or_create(names: list[str]) -> list[ProjectTag]:
    if not names:
        return []
    ProjectTag.objects.bulk_create([ProjectTag(name=n) for n in names], ignore_conflicts=True)
    return list(ProjectTag.objects.filter(name__in=names))


def _links_clean(*, repository_url: str, demo_url: str, docs_url: str) -> dict[str, str]:
    """Each link normalised, or one ValidationError naming every bad field."""
    raw = {"repository_url": repository_url, "demo_url": demo_url, "docs_url": docs_url}
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, value in raw.items():
        # Blank means "no link"; anything else is checked as given (forms strip the
        # edges; a stray space or control character inside is refused, never repaired).
        if not (value or "").strip():
            if name == "repository_url":
                errors[name] = ["A repository link is required."]
            else:
                cleaned[name] = ""
            continue
        try:
            cleaned[name] = link_validate(value, field=name)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _text_fields(
    *, title: str, pitch: str, feedback_note: str, cohort: str, track: str
) -> dict[str, str]:
    if track and track not in Track.values:
        raise ValidationError({"track": "Choose one of the program's tracks."})
    if len(feedback_note) > FEEDBACK_NOTE_MAX:
        raise ValidationError(
            {"feedback_note": f"Keep it short: at most {FEEDBACK_NOTE_MAX} characters."}
        )
    return {
        "title": " ".join(title.split()),
        "pitch": " ".join(pitch.split()),
        "feedback_note": " ".join(feedback_note.split()),
        "cohort": cohort.strip(),
        "track": track,
    }


def _revision_add(project: Project, editor: User) -> None:
    last = project.revisions.aggregate(n=Max("number"))["n"] or 0
    ProjectRevision.objects.create(
        project=project,
        number=last + 1,
        editor=editor,
        title=project.title,
        pitch=project.pitch,
        description=project.description,
        repository_url=project.repository_url,
        demo_url=project.demo_url,
        docs_url=project.docs_url,
    )


def _search_index(project: Project, tag_names: Iterable[str]) -> None:
    """Keep the project's row in the search table (PostgreSQL) in step with its text."""
    if connection.vendor != "postgresql":
        return
    vector = (
        SearchVector(Value(project.title), weight="A", config="english")
        + SearchVector(Value(" ".join(tag_names)), weight="B", config="english")
        + SearchVector(Value(project.pitch), weight="B", config="english")
        + SearchVector(Value(project.description), weight="C", config="english")
    )
    ProjectSearch.objects.update_or_create(
        project_id=project.pk, defaults={"search_vector": vector}
    )


def _target(project: Project) -> dict[str, str]:
    return {
        "target_key": events.project_topic(project.pk),
        "target_title": project.title,
        "url": project.get_absolute_url(),
    }


# --- Projects --------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    author: User,
    title: str,
    pitch: str,
    repository_url: str,
    description: str = "",
    demo_url: str = "",
    docs_url: str = "",
    tags: str | Iterable[str] = (),
    cohort: str = "",
    track: str = "",
    feedback_wanted: bool = False,
    feedback_note: str = "",
    publish: bool = False,
) -> Project:
    """A new project, as a draft (only the author sees it) or published straight away."""
    require_writer(author)
    require(permissions.can_create(author), "You cannot post projects.")
    tag_names = tags_normalize(tags)
    links = _links_clean(repository_url=repository_url, demo_url=demo_url, docs_url=docs_url)
    text = _text_fields(
        title=title, pitch=pitch, feedback_note=feedback_note, cohort=cohort, track=track
    )
    now = timezone.now()
    project = Project(
        author=author,
        description=description,
        description_html=_html(description),
        feedback_wanted=feedback_wanted,
        state=State.PUBLISHED if publish else State.DRAFT,
        published_at=now if publish else None,
        created_at=now,
        updated_at=now,
        listed_at=now,
        **links,
        **text,
    )
    clean(project, exclude=["author", "hidden_by", "reviewer"])
    project.save()
    project.tags.set(_tags_get_or_create(tag_names))
    _search_index(project, tag_names)
    _revision_add(project, author)
    after_commit(events.project_changed, project.pk)
    return project


@transaction.atomic
def project_edit(
    *,
    editor: User,
    project: Project,
    title: str,
    pitch: str,
    repository_url: str,
    description: str = "",
    demo_url: str = "",
    docs_url: str = "",
    tags: str | Iterable[str] = (),
    cohort: str = "",
    track: str = "",
    feedback_wanted: bool = False,
    feedback_note: str = "",
) -> Project:
    """The author changes the project; text and link changes add a revision."""
    require_writer(editor)
    require(permissions.can_edit(editor, project), "Only the author can edit this project.")
    tag_names = tags_normalize(tags)
    links = _links_clean(repository_url=repository_url, demo_url=demo_url, docs_url=docs_url)
    text = _text_fields(
        title=title, pitch=pitch, feedback_note=feedback_note, cohort=cohort, track=track
    )
    revised = ("title", "pitch", "description", *URL_FIELDS)
    before = {name: getattr(project, name) for name in revised}
    for name, value in {**links, **text, "description": description}.items():
        setattr(project, name, value)
    project.feedback_wanted = feedback_wanted
    if description != before["description"]:
        project.description_html = _html(description)
    project.updated_at = timezone.now()
    clean(project, exclude=["author", "hidden_by", "reviewer"])
    project.save()
    project.tags.set(_tags_get_or_create(tag_names))
    _search_index(project, tag_names)
    if any(getattr(project, name) != value for name, value in before.items()):
        _revision_add(project, editor)
    after_commit(events.project_changed, project.pk)
    return project


@transaction.atomic
def project_publish(*, actor: User, project: Project) -> Project:
    require_writer(actor)
    require(
        permissions.can_publish(actor, project),
        "Only the author can publish a draft."
        if project.state == State.DRAFT
        else "This project is not a draft.",
    )
    now = timezone.now()
    project.state, project.updated_at = State.PUBLISHED, now
    fields = ["state", "updated_at"]
    if project.published_at is None:  # the first publication lists it as new
        project.published_at = project.listed_at = now
        fields += ["published_at", "listed_at"]
    project.save(update_fields=fields)
    after_commit(events.project_changed, project.pk)
    return project


@transaction.atomic
def project_unpublish(*, actor: User, project: Project) -> Project:
    """Back to a draft: only the author sees it again. A pending review request is
    withdrawn (a mentor could no longer open the project)."""
    require_writer(actor)
    require(
        permissions.can_unpublish(actor, project),
        "Only the author can unpublish a published project.",
    )
    project.state, project.updated_at = State.DRAFT, timezone.now()
    fields = ["state", "updated_at"]
    if project.review_state in (ReviewState.REQUESTED, ReviewState.IN_REVIEW):
        _review_withdraw(project)
        fields += ["review_state", "review_requested_at", "reviewer", "claimed_at"]
    project.save(update_fields=fields)
    after_commit(events.project_changed, project.pk)
    return project


def _review_withdraw(project: Project) -> None:
    Review.objects.filter(project=project, completed_at__isnull=True).delete()
    project.review_state = ReviewState.REVIEWED if project.last_reviewed_at else ReviewState.NONE
    project.review_requested_at = None
    project.reviewer, project.claimed_at = None, None


def project_hidden_set(
    *, project: Project, hidden: bool, by: User | None, reason: str = ""
) -> Project:
    """Hide a published project from everyone but its author and mentors, or publish it
    again. The state change only: moderation.services (content_hide, content_unhide and
    the flags) checks who may, logs the action and tells the author."""
    now = timezone.now()
    fields = ["state", "hidden_reason", "hidden_by", "hidden_at", "updated_at"]
    if hidden:
        project.state, project.hidden_reason = State.HIDDEN, reason
        project.hidden_by, project.hidden_at = by, now
    else:
        project.state, project.hidden_reason = State.PUBLISHED, ""
        project.hidden_by, project.hidden_at = None, None
    project.updated_at = now
    project.save(update_fields=fields)
    after_commit(events.project_changed, project.pk)
    return project


@transaction.atomic
def feedback_hidden_set(*, feedback: Feedback, hidden: bool, reason: str = "") -> Feedback:
    """Hide feedback (gone for all but mentors and its author) or show it again. The state
    change only, like project_hidden_set: moderation.services checks, logs and tells."""
    hidden_at = timezone.now() if hidden else None
    reason = reason if hidden else ""
    Feedback.objects.filter(pk=feedback.pk).update(hidden_at=hidden_at, hidden_reason=reason)
    feedback.hidden_at, feedback.hidden_reason = hidden_at, reason
    after_commit(events.project_changed, feedback.project_id)
    return feedback


@transaction.atomic
def feedback_hidden_reason_set(*, feedback: Feedback, reason: str) -> Feedback:
    Feedback.objects.filter(pk=feedback.pk).update(hidden_reason=reason)
    feedback.hidden_reason = reason
    return feedback


@transaction.atomic
def project_hidden_reason_set(*, project: Project, reason: str) -> Project:
    Project.objects.filter(pk=project.pk).update(hidden_reason=reason)
    project.hidden_reason = reason
    return project


# --- Stars -----------------------------------------------------------------------------


@transaction.atomic
def star_toggle(*, user: User, project: Project) -> bool:
    """Star `project`, or take the star back. Returns whether it is starred now;
    `project.star_count` is refreshed. Authors cannot star their own project."""
    require_writer(user)
    require(
        permissions.can_star(user, project),
        "You cannot star your own project."
        if permissions.is_author(user, project)
        else "Only published projects can be starred.",
    )
    removed, _ = Star.objects.filter(user=user, project=project).delete()
    starred = not removed
    if starred:
        try:
            with transaction.atomic():
                Star.objects.create(user=user, project=project)
        except IntegrityError:  # a double click raced us: the star is there already
            project.refresh_from_db(fields=["star_count"])
            return True
    Project.objects.filter(pk=project.pk).update(
        star_count=F("star_count") + (1 if starred else -1)
    )
    project.refresh_from_db(fields=["star_count"])
    after_commit(events.star_changed, project.pk, project.star_count)
    return starred


# --- Feedback --------------------------------------------------------------------------


@transaction.atomic
def feedback_create(
    *, author: User, project: Project, body: str, parent: Feedback | None = None
) -> Feedback:
    """Feedback on a published project, or a reply to top-level feedback (one level
    deep). The project's author hears of it, and a reply's parent author too."""
    require_writer(author)
    require(
        permissions.can_give_feedback(author, project),
        "Feedback is open on published projects only.",
    )
    if parent is not None:
        if parent.project_id != project.pk:
            raise ValidationError({"parent": "That feedback belongs to another project."})
        if parent.parent_id is not None:
            raise ValidationError(
                {"parent": "Replies go one level deep: reply to the original feedback."}
            )
        if parent.is_deleted:
            raise ValidationError({"parent": "That feedback was deleted."})
    feedback = Feedback(
        project=project,
        author=author,
        parent=parent,
        body=body,
        body_html=_html(body),
        by_mentor=author.is_mentor,
    )
    clean(feedback, exclude=["author", "project", "parent"])
    feedback.save()
    after_commit(events.feedback_created, feedback.pk)
    Project.objects.filter(pk=project.pk).update(feedback_count=F("feedback_count") + 1)
    project.refresh_from_db(fields=["feedback_count"])
    FeedbackRevision.objects.create(feedback=feedback, number=1, editor=author, body=body)
    target = {**_target(project), "url": f"{project.get_absolute_url()}#feedback-{feedback.pk}"}
    # A reply to the project author's own feedback reads as a reply to them, not as new
    # feedback on their project.
    if parent is None or parent.author_id != project.author_id:
        notify(recipients=[project.author], kind=Kind.PROJECT_FEEDBACK, actor=author, **target)
    if parent is not None:
        # Replies coalesce per thread of feedback, apart from the project's own key.
        notify(
            recipients=[parent.author],
            kind=Kind.FEEDBACK_REPLY,
            actor=author,
            **{**target, "target_key": f"project-feedback:{parent.pk}"},
        )
    hooks.emit(FEEDBACK_CREATED, feedback=feedback, project=project)
    return feedback


@transaction.atomic
def feedback_edit(*, editor: User, feedback: Feedback, body: str) -> Feedback:
    require_writer(editor)
    require(permissions.can_edit_feedback(editor, feedback), "You can only edit your own feedback.")
    if body == feedback.body:
        return feedback
    feedback.body, feedback.body_html, feedback.edited_at = body, _html(body), timezone.now()
    clean(feedback, exclude=["author", "project", "parent"])
    feedback.save(update_fields=["body", "body_html", "edited_at"])
    last = feedback.revisions.aggregate(n=Max("number"))["n"] or 0
    FeedbackRevision.objects.create(feedback=feedback, number=last + 1, editor=editor, body=body)
    after_commit(events.feedback_changed, feedback.pk)
    return feedback


@transaction.atomic
def feedback_delete(*, actor: User, feedback: Feedback) -> None:
    """Soft delete: the row stays (its replies keep their place), its text is not shown.
    A mentor removing someone else's feedback is a moderation action (logged, the author
    told): announced as the `projects.feedback_removed` hook."""
    require_writer(actor)
    require(
        permissions.can_delete_feedback(actor, feedback), "You can only delete your own feedback."
    )
    feedback.is_deleted, feedback.deleted_at = True, timezone.now()
    feedback.save(update_fields=["is_deleted", "deleted_at"])
    Project.objects.filter(pk=feedback.project_id).update(feedback_count=F("feedback_count") - 1)
    after_commit(events.feedback_changed, feedback.pk)
    if actor.pk != feedback.author_id:
        hooks.emit(FEEDBACK_REMOVED, actor=actor, feedback=feedback)


# --- Reviews ---------------------------------------------------------------------------


@transaction.atomic
def review_request(*, actor: User, project: Project) -> Project:
    """The author asks for a mentor review (again, after a completed one)."""
    require_writer(actor)
    if not permissions.can_request_review(actor, project):
        if not permissions.is_author(actor, project):
            raise PermissionDenied("Only the author can ask for a review.")
        if project.state != State.PUBLISHED:
            raise PermissionDenied("Publish the project before asking for a review.")
        if not project.feedback_wanted:
            raise PermissionDenied("Switch on “feedback wanted” to ask for a review.")
        raise Conflict("A review is already requested or under way.")
    now = timezone.now()
    project.review_state, project.review_requested_at = ReviewState.REQUESTED, now
    project.reviewer, project.claimed_at, project.updated_at = None, None, now
    project.save(
        update_fields=[
            "review_state",
            "review_requested_at",
            "reviewer",
            "claimed_at",
            "updated_at",
        ]
    )
    after_commit(events.project_changed, project.pk)
    _queue_changed()  # the mentors' projects tab
    return project


@transaction.atomic
def review_claim(*, mentor: User, project: Project) -> Review:
    """A mentor takes a requested review ("reviewing"). Claims race safely: the update
    only succeeds while the project is still requested and unclaimed."""
    require_writer(mentor)
    if not permissions.is_mentor(mentor):
        raise PermissionDenied("Only mentors review projects.")
    if permissions.is_author(mentor, project):
        raise PermissionDenied("You cannot review your own project.")
    if project.review_state == ReviewState.IN_REVIEW:
        raise Conflict("Another mentor already claimed this review.")
    require(
        permissions.can_claim_review(mentor, project),
        "This project is not waiting for a reviewer.",
    )
    now = timezone.now()
    claimed = Project.objects.filter(
        pk=project.pk,
        state=State.PUBLISHED,
        review_state=ReviewState.REQUESTED,
        reviewer__isnull=True,
    ).update(review_state=ReviewState.IN_REVIEW, reviewer=mentor, claimed_at=now)
    require(bool(claimed), "Another mentor claimed this project first.")
    project.review_state, project.reviewer, project.claimed_at = (
        ReviewState.IN_REVIEW,
        mentor,
        now,
    )
    review = Review.objects.create(project=project, reviewer=mentor, created_at=now)
    after_commit(events.review_changed, review.pk)
    after_commit(events.project_changed, project.pk)
    _queue_changed()  # the mentors' projects tab
    return review


@transaction.atomic
def review_release(*, mentor: User, project: Project) -> Project:
    """The claiming mentor hands the review back to the queue."""
    require_writer(mentor)
    require(
        permissions.can_release_review(mentor, project),
        "Only the mentor who claimed this review can release it.",
    )
    Review.objects.filter(project=project, completed_at__isnull=True).delete()
    project.review_state, project.reviewer, project.claimed_at = (
        ReviewState.REQUESTED,
        None,
        None,
    )
    project.save(update_fields=["review_state", "reviewer", "claimed_at"])
    after_commit(events.project_changed, project.pk)
    _queue_changed()  # the mentors' projects tab
    return project


@transaction.atomic
def review_submit(
    *,
    mentor: User,
    project: Project,
    verdict: str,
    works: str = "",
    improve: str = "",
    notes_api_design: str = "",
    notes_data_model: str = "",
    notes_tests: str = "",
    notes_deployment: str = "",
) -> Review:
    """The claiming mentor completes the review: the project is reviewed and its author
    is notified."""
    require_writer(mentor)
    if permissions.is_author(mentor, project):
        raise PermissionDenied("You cannot review your own project.")
    require(
        permissions.can_submit_review(mentor, project),
        "Only the mentor who claimed this review can submit it."
        if permissions.is_mentor(mentor)
        else "Only mentors review projects.",
    )
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "Choose a verdict: looks good or needs work."})
    texts = {
        "works": works,
        "improve": improve,
        "notes_api_design": notes_api_design,
        "notes_data_model": notes_data_model,
        "notes_tests": notes_tests,
        "notes_deployment": notes_deployment,
    }
    if not any(text.strip() for text in texts.values()):
        raise ValidationError({"works": "Write at least one part of the review."})
    review = Review.objects.select_for_update().get(project=project, completed_at__isnull=True)
    now = timezone.now()
    for name, text in texts.items():
        setattr(review, name, text)
    review.verdict, review.completed_at = verdict, now
    review.html = {name: _html(text) for name, text in texts.items() if text.strip()}
    clean(review, exclude=["project", "reviewer"])
    review.save()
    project.review_state, project.last_reviewed_at, project.updated_at = (
        ReviewState.REVIEWED,
        now,
        now,
    )
    project.reviewer, project.claimed_at = None, None
    project.save(
        update_fields=["review_state", "last_reviewed_at", "updated_at", "reviewer", "claimed_at"]
    )
    notify(
        recipients=[project.author],
        kind=Kind.PROJECT_REVIEW,
        actor=mentor,
        **{**_target(project), "url": f"{project.get_absolute_url()}#review-{review.pk}"},
    )
    after_commit(events.review_changed, review.pk)
    after_commit(events.project_changed, project.pk)
    _queue_changed()  # the mentors' projects tab
    hooks.emit(REVIEW_SUBMITTED, review=review, project=project)
    return review
