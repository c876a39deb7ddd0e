"""Every write to discussions. HTML views, the APIs and commands call these; none of them
writes to the database itself.

Refusals raise Django's own exceptions, which every door already knows how to show:
`PermissionDenied(message)` (403, or a message on the page) and `ValidationError` with
per-field messages (form errors, 400). `RateLimited` is a PermissionDenied.
"""

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.permissions import require_writer
from discussions import events, permissions
from discussions.models import (
    COMMENT_MAX,
    TAG_MAX_LENGTH,
    TAGS_PER_QUESTION,
    Answer,
    Category,
    Comment,
    Follow,
    Mention,
    PostKind,
    Question,
    QuestionSearch,
    Revision,
    Tag,
    Vote,
    Watch,
)
from hub import cache, errors, hooks
from hub.markdown import Rendered, render_markdown
from hub.services import after_commit, clean, require
from notifications.models import Kind
from notifications.services import is_vote_milestone, notify, vote_milestone_notify

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9+#.-]*$")
MENTION_CANDIDATE_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9_-]{1,29})")
EXCERPT_LENGTH = 200


RateLimited = errors.RateLimited  # too many posts in the last hour


# Domain hooks (hub.hooks) discussions emits; apps above it subscribe in their ready():
#   discussions.queue_changed   the questions waiting for a mentor changed (on commit)
#   discussions.post_edited     someone edited another person's post, in the transaction:
#                               editor, kind, post, label (the thread's title), url, before
#   discussions.answer_created  an answer was posted, in the transaction: answer, question
#                               (webhooks record their deliveries with the answer)
QUEUE_CHANGED = "discussions.queue_changed"
POST_EDITED = "discussions.post_edited"
ANSWER_CREATED = "discussions.answer_created"


def _queue_changed() -> None:
    after_commit(hooks.emit, QUEUE_CHANGED)


# --- Categories and tags -----------------------------------------------------------------


@transaction.atomic
def category_ensure(*, slug: str, name: str, description: str = "", position: int = 0) -> Category:
    """Create a category, or bring an existing one with that slug up to date (idempotent)."""
    category, _ = Category.objects.update_or_create(
        slug=slug, defaults={"name": name, "description": description, "position": position}
    )
    transaction.on_commit(lambda: cache.version_bump("site"), robust=True)  # every sidebar
    return category


def tags_normalize(raw: str | Iterable[str]) -> list[str]:
    """`"Django, #ORM  celery"` -> `["django", "orm", "celery"]`; ValidationError if bad."""
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
    if len(names) > TAGS_PER_QUESTION:
        raise ValidationError({"tags": f"At most {TAGS_PER_QUESTION} tags, please."})
    return names


def _tags_get_or_create(names: list[str]) -> list[Tag]:
    if not names:
        return []
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=names))


# --- Shared steps of every write ----------------------------------------------------------


def _refuse_by_state(refusal: str) -> None:
    """The thread's state refuses (locked, duplicate, hidden, deleted): a Conflict, which
    the pages show like any refusal and the API answers with 409."""
    if refusal:
        raise errors.Conflict(refusal)


def _check_posting_rate(user: User, kind: str) -> None:
    """A per-account limit per hour, stricter for accounts under a day old."""
    limits = settings.NEXUS_POSTING_LIMITS[kind]
    is_new = user.date_joined > timezone.now() - timedelta(days=1)
    limit = limits["new"] if is_new else limits["hour"]
    since = timezone.now() - timedelta(hours=1)
    if kind == "question":
        recent = Question.objects.filter(author=user, created_at__gte=since).count()
    else:
        recent = (
            Answer.objects.filter(author=user, created_at__gte=since).count()
            + Comment.objects.filter(author=user, created_at__gte=since).count()
        )
    if recent >= limit:
        what = "questions" if kind == "question" else "answers and comments"
        newcomer = " (new accounts have a lower limit for their first day)" if is_new else ""
        raise RateLimited(
            f"You have posted {recent} {what} in the last hour, the limit{newcomer}. "
            "Please wait a little before posting again."
        )


def _render(body: str) -> tuple[Rendered, list[User]]:
    """Render Markdown once (stored, never at page time); link known @handles."""
    candidates = {match.lower() for match in MENTION_CANDIDATE_RE.findall(body)}
    known = {u.handle: u for u in User.objects.filter(handle__in=candidates, is_active=True)}
    rendered = render_markdown(
        body,
        mention_url=lambda handle: (
            reverse("accounts:profile", kwargs={"handle": handle}) if handle in known else None
        ),
    )
    return rendered, [known[h] for h in rendered.mentions if h in known]


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + "…"


def _revision_add(*, kind: str, post_id: int, editor: User, body: str, title: str = "") -> None:
    last = Revision.objects.filter(kind=kind, post_id=post_id).aggregate(n=Max("number"))["n"]
    Revision.objects.create(
        kind=kind, post_id=post_id, number=(last or 0) + 1, editor=editor, title=title, body=body
    )


def _mentions_record(
    *,
    kind: str,
    post_id: int,
    users: list[User],
    author: User,
    question: Question | None = None,
    url: str = "",
) -> None:
    """Record @mentions and tell the people mentioned (coalesced per thread)."""
    already = set(
        Mention.objects.filter(kind=kind, post_id=post_id).values_list("user_id", flat=True)
    )
    mentioned = [u for u in users if u.pk != author.pk and u.pk not in already]
    Mention.objects.bulk_create(
        [Mention(kind=kind, post_id=post_id, user=u) for u in mentioned], ignore_conflicts=True
    )
    if mentioned and question is not None:
        notify(
            recipients=mentioned,
            kind=Kind.MENTION,
            actor=author,
            target_key=events.question_topic(question.pk),
            target_title=question.title,
            url=url or question.get_absolute_url(),
        )


def _search_index(question: Question, tag_names: Iterable[str] = ()) -> None:
    """Keep the question's row in the search table (PostgreSQL) in step with it: title
    (weight A), tags and body (B), as migration 0006 computes it for older rows."""
    if connection.vendor != "postgresql":
        return
    if question.is_deleted:
        QuestionSearch.objects.filter(question_id=question.pk).delete()
        return
    vector = (
        SearchVector(Value(question.title), weight="A", config="english")
        + SearchVector(Value(" ".join(tag_names)), weight="B", config="english")
        + SearchVector(Value(question.body), weight="B", config="english")
    )
    # The score as the row has it now (not as this instance read it: a vote may have come
    # between), for the search's tie-break.
    score = Subquery(Question.objects.filter(pk=question.pk).values("score")[:1])
    QuestionSearch.objects.update_or_create(
        question_id=question.pk, defaults={"search_vector": vector, "score": score}
    )


def _follow(user: User, question_id: int) -> None:
    Follow.objects.get_or_create(user=user, question_id=question_id)


def _moderation_state(question_id: int) -> Question:
    """The thread's deleted/locked/duplicate/hidden state, read under a row lock so a
    mentor's lock and a new answer cannot cross."""
    return (
        Question.objects.select_for_update()
        .only("is_deleted", "locked_at", "lock_reason", "duplicate_of", "hidden_at")
        .get(pk=question_id)
    )


def _first_mentor_response(question_id: int, author: User, at: Any) -> None:
    """Record the first answer or comment by a mentor (the queue's response times)."""
    if author.is_mentor:
        Question.objects.filter(pk=question_id, first_mentor_response_at__isnull=True).update(
            first_mentor_response_at=at, first_mentor_responder=author
        )


def _edit_logged(editor: User, kind: str, post: Any, thread: Question, before: dict) -> None:
    """A mentor's edit of someone else's post is a moderation action: logged, and the
    author told (the revision keeps the words)."""
    if editor.pk != post.author_id:
        hooks.emit(
            POST_EDITED,
            editor=editor,
            kind=kind,
            post=post,
            label=thread.title,
            url=post.get_absolute_url()
            if kind != PostKind.COMMENT
            else f"{thread.get_absolute_url()}#comment-{post.pk}",
            before=before,
        )


# --- Questions ---------------------------------------------------------------------------


@transaction.atomic
def question_create(
    *,
    author: User,
    title: str,
    body: str,
    category: Category,
    tags: str | Iterable[str] = (),
    project: Any = None,
) -> Question:
    require_writer(author)
    _check_posting_rate(author, "question")
    tag_names = tags_normalize(tags)
    rendered, mentioned = _render(body)
    now = timezone.now()
    question = Question(
        author=author,
        category=category,
        project=project,
        title=" ".join(title.split()),
        body=body,
        body_html=rendered.html,
        excerpt=_excerpt(rendered.text),
        created_at=now,
        last_activity_at=now,
    )
    clean(question, exclude=["accepted_answer"])
    question.save()
    question.tags.set(_tags_get_or_create(tag_names))
    _follow(author, question.pk)
    _revision_add(
        kind=PostKind.QUESTION, post_id=question.pk, editor=author, title=question.title, body=body
    )
    _mentions_record(
        kind=PostKind.QUESTION,
        post_id=question.pk,
        users=mentioned,
        author=author,
        question=question,
    )
    _search_index(question, tag_names)
    watchers = User.objects.filter(
        pk__in=Watch.objects.filter(Q(category=category) | Q(tag__name__in=tag_names)).values(
            "user_id"
        )
    )
    notify(
        recipients=watchers,
        kind=Kind.QUESTION_IN_WATCHED,
        actor=author,
        target_key=events.question_topic(question.pk),
        target_title=question.title,
        url=question.get_absolute_url(),
    )
    after_commit(events.question_created, question.pk)
    _queue_changed()  # the mentors' needs-a-mentor tab
    return question


@transaction.atomic
def watch_set(
    *, user: User, watching: bool, category: Category | None = None, tag: Tag | None = None
) -> bool:
    """Watch (or stop watching) a category or a tag: its new questions notify you."""
    if (category is None) == (tag is None):
        raise ValueError("Watch exactly one of a category or a tag.")
    require(bool(user and user.is_authenticated), "Log in to watch topics.")
    target = {"category": category} if category else {"tag": tag}
    if watching:
        Watch.objects.get_or_create(user=user, **target)
    else:
        Watch.objects.filter(user=user, **target).delete()
    return watching


@transaction.atomic
def question_edit(
    *,
    editor: User,
    question: Question,
    title: str,
    body: str,
    category: Category,
    tags: str | Iterable[str] = (),
) -> Question:
    require(permissions.can_edit(editor, question), "You can only edit your own questions.")
    tag_names = tags_normalize(tags)
    title = " ".join(title.split())
    old_tags = sorted(question.tags.values_list("name", flat=True))
    unchanged = (question.title, question.body, question.category_id) == (
        title,
        body,
        category.pk,
    ) and old_tags == sorted(tag_names)
    if unchanged:
        return question
    rendered, mentioned = _render(body)
    before = {"title": question.title, "body": question.body, "category": question.category.slug}
    question.title, question.body, question.category = title, body, category
    question.body_html, question.excerpt = rendered.html, _excerpt(rendered.text)
    question.edited_at = timezone.now()
    clean(question, exclude=["accepted_answer"])
    question.save(update_fields=["title", "body", "category", "body_html", "excerpt", "edited_at"])
    question.tags.set(_tags_get_or_create(tag_names))
    _revision_add(
        kind=PostKind.QUESTION, post_id=question.pk, editor=editor, title=title, body=body
    )
    _mentions_record(
        kind=PostKind.QUESTION,
        post_id=question.pk,
        users=mentioned,
        author=question.author,
        question=question,
    )
    _search_index(question, tag_names)
    _edit_logged(editor, PostKind.QUESTION, question, question, before)
    after_commit(events.question_changed, question.pk)
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> None:
    if not permissions.can_delete(actor, question):
        if question.author_id == actor.pk and question.answer_count:
            raise PermissionDenied("A question with answers cannot be deleted: others built on it.")
        raise PermissionDenied("You can only delete your own questions.")
    question.is_deleted, question.deleted_at = True, timezone.now()
    question.save(update_fields=["is_deleted", "deleted_at"])
    _search_index(question)
    after_commit(events.question_changed, question.pk)


# --- Answers -----------------------------------------------------------------------------


@transaction.atomic
def answer_create(*, author: User, question: Question, body: str) -> Answer:
    require_writer(author)
    current = _moderation_state(question.pk)  # locked against a lock landing mid-post
    _refuse_by_state(permissions.answer_refusal(current))
    _check_posting_rate(author, "reply")
    rendered, mentioned = _render(body)
    answer = Answer(
        question=question,
        author=author,
        body=body,
        body_html=rendered.html,
        by_mentor=author.is_mentor,
    )
    clean(answer)
    answer.save()
    # The thread's open tabs first: on-commit callbacks run in the order registered, and
    # notifications (registered below) publish to each recipient.
    after_commit(events.answer_created, answer.pk)
    changes = {"answer_count": F("answer_count") + 1, "last_activity_at": answer.created_at}
    if answer.by_mentor:
        changes["has_mentor_answer"] = True
        _queue_changed()  # it leaves the needs-a-mentor tab
    Question.objects.filter(pk=question.pk).update(**changes)
    _first_mentor_response(question.pk, author, answer.created_at)
    question.refresh_from_db(fields=["answer_count", "last_activity_at", "has_mentor_answer"])
    _follow(author, question.pk)
    _revision_add(kind=PostKind.ANSWER, post_id=answer.pk, editor=author, body=body)
    _mentions_record(
        kind=PostKind.ANSWER,
        post_id=answer.pk,
        users=mentioned,
        author=author,
        question=question,
        url=answer.get_absolute_url(),
    )
    _notify_answer(answer, question)
    hooks.emit(ANSWER_CREATED, answer=answer, question=question)
    return answer


def _notify_answer(answer: Answer, question: Question) -> None:
    """The asker hears of an answer; everyone else following the question too."""
    common = {
        "actor": answer.author,
        "target_key": events.question_topic(question.pk),
        "target_title": question.title,
        "url": answer.get_absolute_url(),
    }
    notify(recipients=[question.author], kind=Kind.ANSWER_ON_QUESTION, **common)
    followers = User.objects.filter(
        pk__in=Follow.objects.filter(question=question)
        .exclude(user_id=question.author_id)
        .values("user_id")
    )
    notify(recipients=followers, kind=Kind.ANSWER_ON_FOLLOWED, **common)


@transaction.atomic
def answer_edit(*, editor: User, answer: Answer, body: str) -> Answer:
    require(permissions.can_edit(editor, answer), "You can only edit your own answers.")
    if body == answer.body:
        return answer
    rendered, mentioned = _render(body)
    before = {"body": answer.body}
    answer.body, answer.body_html, answer.edited_at = body, rendered.html, timezone.now()
    clean(answer)
    answer.save(update_fields=["body", "body_html", "edited_at"])
    _revision_add(kind=PostKind.ANSWER, post_id=answer.pk, editor=editor, body=body)
    _mentions_record(
        kind=PostKind.ANSWER,
        post_id=answer.pk,
        users=mentioned,
        author=answer.author,
        question=answer.question,
        url=answer.get_absolute_url(),
    )
    _edit_logged(editor, PostKind.ANSWER, answer, answer.question, before)
    after_commit(events.answer_changed, answer.pk)
    return answer


@transaction.atomic
def answer_delete(*, actor: User, answer: Answer) -> None:
    require(permissions.can_delete(actor, answer), "You can only delete your own answers.")
    answer.is_deleted, answer.deleted_at = True, timezone.now()
    answer.save(update_fields=["is_deleted", "deleted_at"])
    question_answers_recount(answer.question_id)
    Question.objects.filter(pk=answer.question_id, accepted_answer=answer).update(
        accepted_answer=None
    )
    after_commit(events.answer_changed, answer.pk)


def question_answers_recount(question_id: int) -> None:
    """`answer_count` and `has_mentor_answer` over the answers everyone sees: not deleted,
    not hidden. Called when an answer is deleted, hidden or unhidden (moderation), so a
    spam answer hidden by flags does not make its question look answered."""
    shown = Answer.objects.filter(question=OuterRef("pk"), is_deleted=False, hidden_at=None)
    Question.objects.filter(pk=question_id).update(
        answer_count=Coalesce(
            Subquery(shown.order_by().values("question").annotate(n=Count("pk")).values("n")[:1]),
            0,
        ),
        has_mentor_answer=Exists(shown.filter(by_mentor=True)),
    )


@transaction.atomic
def answer_accept(*, actor: User, answer: Answer) -> Question:
    """Mark `answer` as the accepted one (replacing any other)."""
    question = answer.question
    require(
        permissions.can_accept(actor, question),
        "Only the asker or a mentor can accept an answer.",
    )
    require(not answer.is_deleted, "That answer was deleted.")
    Question.objects.filter(pk=question.pk).update(accepted_answer=answer)
    question.accepted_answer = answer
    notify(
        recipients=[answer.author],
        kind=Kind.ANSWER_ACCEPTED,
        actor=actor,
        target_key=f"answer:{answer.pk}",
        target_title=question.title,
        url=answer.get_absolute_url(),
    )
    after_commit(events.thread_stale, question.pk)
    return question


@transaction.atomic
def answer_unaccept(*, actor: User, question: Question) -> Question:
    require(
        permissions.can_accept(actor, question),
        "Only the asker or a mentor can change the accepted answer.",
    )
    Question.objects.filter(pk=question.pk).update(accepted_answer=None)
    question.accepted_answer = None
    after_commit(events.thread_stale, question.pk)
    return question


# --- Comments ----------------------------------------------------------------------------


@transaction.atomic
def comment_create(
    *, author: User, body: str, question: Question | None = None, answer: Answer | None = None
) -> Comment:
    if (question is None) == (answer is None):
        raise ValueError("A comment goes on exactly one of a question or an answer.")
    thread = question or answer.question
    require_writer(author)
    current = _moderation_state(thread.pk)
    _refuse_by_state(permissions.comment_refusal(current))
    require(answer is None or not answer.is_deleted, "That answer was deleted.")
    if len(body) > COMMENT_MAX:
        raise ValidationError({"body": f"Comments are short: at most {COMMENT_MAX} characters."})
    _check_posting_rate(author, "reply")
    rendered, mentioned = _render(body)
    comment = Comment(
        author=author, question=question, answer=answer, body=body, body_html=rendered.html
    )
    clean(comment)
    comment.save()
    after_commit(events.comment_created, comment.pk)  # before any notification's publish
    target = (
        Question.objects.filter(pk=question.pk) if question else Answer.objects.filter(pk=answer.pk)
    )
    target.update(comment_count=F("comment_count") + 1)
    Question.objects.filter(pk=thread.pk).update(last_activity_at=comment.created_at)
    _first_mentor_response(thread.pk, author, comment.created_at)
    _revision_add(kind=PostKind.COMMENT, post_id=comment.pk, editor=author, body=body)
    _mentions_record(
        kind=PostKind.COMMENT,
        post_id=comment.pk,
        users=mentioned,
        author=author,
        question=thread,
        url=f"{thread.get_absolute_url()}#comment-{comment.pk}",
    )
    notify(
        recipients=[(answer or question).author],
        kind=Kind.COMMENT_ON_POST,
        actor=author,
        target_key=events.question_topic(thread.pk),
        target_title=thread.title,
        url=f"{thread.get_absolute_url()}#comment-{comment.pk}",
    )
    return comment


@transaction.atomic
def comment_edit(*, editor: User, comment: Comment, body: str) -> Comment:
    require(permissions.can_edit(editor, comment), "You can only edit your own comments.")
    if len(body) > COMMENT_MAX:
        raise ValidationError({"body": f"Comments are short: at most {COMMENT_MAX} characters."})
    if body == comment.body:
        return comment
    rendered, mentioned = _render(body)
    before = {"body": comment.body}
    comment.body, comment.body_html, comment.edited_at = body, rendered.html, timezone.now()
    clean(comment)
    comment.save(update_fields=["body", "body_html", "edited_at"])
    _revision_add(kind=PostKind.COMMENT, post_id=comment.pk, editor=editor, body=body)
    thread = comment.question or comment.answer.question
    _mentions_record(
        kind=PostKind.COMMENT,
        post_id=comment.pk,
        users=mentioned,
        author=comment.author,
        question=thread,
        url=f"{thread.get_absolute_url()}#comment-{comment.pk}",
    )
    _edit_logged(editor, PostKind.COMMENT, comment, thread, before)
    after_commit(events.comment_changed, comment.pk)
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> None:
    require(permissions.can_delete(actor, comment), "You can only delete your own comments.")
    comment.is_deleted, comment.deleted_at = True, timezone.now()
    comment.save(update_fields=["is_deleted", "deleted_at"])
    target = (
        Question.objects.filter(pk=comment.question_id)
        if comment.question_id
        else Answer.objects.filter(pk=comment.answer_id)
    )
    target.update(comment_count=F("comment_count") - 1)
    after_commit(events.comment_changed, comment.pk)


# --- Votes and follows ---------------------------------------------------------------------


@transaction.atomic
def vote_toggle(*, user: User, post: Question | Answer) -> bool:
    """Up-vote `post`, or take the vote back if there is one. Returns whether it is voted
    now; `post.score` is refreshed."""
    require_writer(user)
    require(permissions.can_vote(user, post), "You cannot vote on your own post.")
    field = "question" if isinstance(post, Question) else "answer"
    removed, _ = Vote.objects.filter(user=user, **{field: post}).delete()
    voted = not removed
    if voted:
        try:
            with transaction.atomic():
                Vote.objects.create(user=user, **{field: post})
        except IntegrityError:  # a double click raced us: the vote is there already
            post.refresh_from_db(fields=["score"])
            return True
    change = 1 if voted else -1
    type(post).objects.filter(pk=post.pk).update(score=F("score") + change)
    if field == "question" and connection.vendor == "postgresql":
        # The search table's copy of the score (the ranking's tie-break).
        QuestionSearch.objects.filter(question_id=post.pk).update(score=F("score") + change)
    post.refresh_from_db(fields=["score"])
    question_id = post.pk if field == "question" else post.question_id
    if voted and is_vote_milestone(post.score):
        thread = post if field == "question" else post.question
        vote_milestone_notify(
            recipient=post.author,
            target_key=f"{field}:{post.pk}",
            target_title=thread.title,
            url=post.get_absolute_url(),
            score=post.score,
        )
    after_commit(events.score_changed, field, post.pk, question_id, post.score)
    return voted


@transaction.atomic
def question_follow_set(*, user: User, question: Question, follow: bool) -> bool:
    require(permissions.can_follow(user, question), "Log in to follow questions.")
    if follow:
        _follow(user, question.pk)
    else:
        Follow.objects.filter(user=user, question=question).delete()
    return follow


# --- Moderation's writes --------------------------------------------------------------------
# The state changes mentors (and flags) make to forum rows. moderation.services decides who
# may, writes the log entry and tells the author; these own the row, its counters and the
# open tabs, so nothing outside discussions writes a question, answer or comment.

ForumPost = Question | Answer | Comment


def _thread_id(post: ForumPost) -> int:
    if isinstance(post, Question):
        return post.pk
    if isinstance(post, Answer):
        return post.question_id
    return post.question_id or post.answer.question_id


@transaction.atomic
def post_hidden_set(*, post: ForumPost, hidden: bool, reason: str = "") -> ForumPost:
    """Hide a post (gone for learners and visitors, marked for mentors and its author) or
    show it again. A hidden answer does not count for its question (answers, "needs a
    mentor"); the thread's open tabs fetch their own view again."""
    hidden_at = timezone.now() if hidden else None
    reason = reason if hidden else ""
    type(post).objects.filter(pk=post.pk).update(hidden_at=hidden_at, hidden_reason=reason)
    post.hidden_at, post.hidden_reason = hidden_at, reason
    if isinstance(post, Answer):
        question_answers_recount(post.question_id)
        _queue_changed()
    after_commit(events.thread_stale, _thread_id(post))
    return post


@transaction.atomic
def post_hidden_reason_set(*, post: ForumPost, reason: str) -> ForumPost:
    """A hidden post's reason, restated (a mentor agreeing with the flags that hid it):
    the post stays as it is for everyone, so the open tabs are not told."""
    type(post).objects.filter(pk=post.pk).update(hidden_reason=reason)
    post.hidden_reason = reason
    return post


def _question_state_set(question: Question, **changes: Any) -> Question:
    Question.objects.filter(pk=question.pk).update(**changes)
    for name, value in changes.items():
        setattr(question, name, value)
    # Each tab fetches its own view (who sees which controls is per viewer); lists too.
    after_commit(events.thread_stale, question.pk)
    after_commit(events.question_changed, question.pk)
    return question


@transaction.atomic
def question_pin_set(*, question: Question, pinned: bool) -> Question:
    """Pinned questions lead their category's list."""
    return _question_state_set(question, pinned_at=timezone.now() if pinned else None)


@transaction.atomic
def question_lock_set(*, question: Question, locked: bool, reason: str = "") -> Question:
    """A locked question takes no new answers or comments and shows the reason."""
    return _question_state_set(
        question,
        locked_at=timezone.now() if locked else None,
        lock_reason=reason if locked else "",
    )


@transaction.atomic
def question_category_set(*, question: Question, category: Category) -> Question:
    return _question_state_set(question, category=category)


@transaction.atomic
def question_duplicate_set(*, question: Question, original: Question | None) -> Question:
    """A duplicate links to its original and takes no more answers (None: not one)."""
    return _question_state_set(question, duplicate_of=original)


@transaction.atomic
def question_mentor_request(*, user: User, question: Question) -> Question:
    """ "Ask a mentor": the asker's question leads the mentors' needs-a-mentor tab."""
    require_writer(user)
    require(question.author_id == user.pk, "Only the asker can call for a mentor.")
    require(not question.has_mentor_answer, "A mentor has already answered.")
    require(question.mentor_requested_at is None, "You have already asked for a mentor.")
    require(
        permissions.can_ask_mentor(user, question),
        "You can ask for a mentor once the question has waited an hour.",
    )
    now = timezone.now()
    Question.objects.filter(pk=question.pk).update(mentor_requested_at=now)
    question.mentor_requested_at = now
    _queue_changed()
    return question
