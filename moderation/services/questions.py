"""Mentors act on a question (pin, lock, move, mark a duplicate) through discussions'
own services, and claim the questions waiting for a mentor."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from discussions import services as forum_services
from discussions.models import Category, Question
from hub.services import require
from moderation.models import Action, QuestionClaim, TargetKind
from moderation.services.common import (
    log_action,
    question_id_parse,
    queue_changed,
    reason_clean,
    require_moderator,
)
from moderation.targets import Target


def _question_action(
    *,
    actor: User,
    question: Question,
    action: str,
    change: Any,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str = "",
    tell: str = "",
) -> Question:
    """Log the action, then `change()`: discussions' own service writes the row and tells
    the open tabs (after the author's notice, as the tabs have always heard it)."""
    log_action(
        actor=actor,
        action=action,
        target=Target(TargetKind.QUESTION, question),
        reason=reason,
        before=before,
        after=after,
        tell=tell,
    )
    change()
    return question


def _live_question(actor: User, question: Question) -> None:
    require_moderator(actor)
    require(not question.is_deleted, "That question was deleted.")


@transaction.atomic
def question_pin(*, actor: User, question: Question, pinned: bool) -> Question:
    """Pinned questions lead their category's list."""
    _live_question(actor, question)
    require(question.is_pinned != pinned, "Already pinned." if pinned else "It is not pinned.")
    return _question_action(
        actor=actor,
        question=question,
        action=Action.PIN if pinned else Action.UNPIN,
        change=lambda: forum_services.question_pin_set(question=question, pinned=pinned),
        before={"pinned": not pinned},
        after={"pinned": pinned},
    )


@transaction.atomic
def question_lock(*, actor: User, question: Question, reason: str) -> Question:
    """No new answers or comments; the thread shows a notice with the reason."""
    _live_question(actor, question)
    require(not question.is_locked, "This question is already locked.")
    reason = reason_clean(reason)
    return _question_action(
        actor=actor,
        question=question,
        action=Action.LOCK,
        change=lambda: forum_services.question_lock_set(
            question=question, locked=True, reason=reason
        ),
        before={"locked": False},
        after={"locked": True},
        reason=reason,
        tell=f"A mentor locked your question “{question.title}”: {reason}",
    )


@transaction.atomic
def question_unlock(*, actor: User, question: Question) -> Question:
    _live_question(actor, question)
    require(question.is_locked, "This question is not locked.")
    return _question_action(
        actor=actor,
        question=question,
        action=Action.UNLOCK,
        change=lambda: forum_services.question_lock_set(question=question, locked=False),
        before={"locked": True, "lock_reason": question.lock_reason},
        after={"locked": False},
        tell=f"A mentor unlocked your question “{question.title}”.",
    )


@transaction.atomic
def question_move(
    *, actor: User, question: Question, category: Category, reason: str = ""
) -> Question:
    _live_question(actor, question)
    require(category.pk != question.category_id, f"It is already in {category.name}.")
    reason = reason_clean(reason, required=False)
    old = question.category
    return _question_action(
        actor=actor,
        question=question,
        action=Action.MOVE,
        change=lambda: forum_services.question_category_set(question=question, category=category),
        before={"category": old.slug},
        after={"category": category.slug},
        reason=reason,
        tell=f"A mentor moved your question “{question.title}” from {old.name} to "
        f"{category.name}." + (f" {reason}" if reason else ""),
    )


@transaction.atomic
def question_mark_duplicate(
    *, actor: User, question: Question, original: Question | str | int, reason: str = ""
) -> Question:
    """The duplicate links to the original and takes no more answers."""
    _live_question(actor, question)
    if not isinstance(original, Question):
        original_id = question_id_parse(str(original))
        original = (
            Question.objects.filter(pk=original_id, is_deleted=False).first()
            if original_id
            else None
        )
        if original is None:
            raise ValidationError({"original": "Give the link or number of the original question."})
    if original.pk == question.pk:
        raise ValidationError({"original": "A question cannot duplicate itself."})
    if original.duplicate_of_id == question.pk:
        raise ValidationError({"original": "That question is marked a duplicate of this one."})
    if original.is_deleted or original.is_hidden:
        raise ValidationError({"original": "The original must be a visible question."})
    require(question.duplicate_of_id != original.pk, "It is already marked so.")
    reason = reason_clean(reason, required=False)
    return _question_action(
        actor=actor,
        question=question,
        action=Action.DUPLICATE,
        change=lambda: forum_services.question_duplicate_set(question=question, original=original),
        before={"duplicate_of": question.duplicate_of_id},
        after={"duplicate_of": original.pk},
        reason=reason,
        tell=f"A mentor marked your question “{question.title}” as a duplicate of "
        f"“{original.title}”." + (f" {reason}" if reason else ""),
    )


@transaction.atomic
def question_unmark_duplicate(*, actor: User, question: Question) -> Question:
    _live_question(actor, question)
    require(question.is_duplicate, "It is not marked as a duplicate.")
    return _question_action(
        actor=actor,
        question=question,
        action=Action.UNDUPLICATE,
        change=lambda: forum_services.question_duplicate_set(question=question, original=None),
        before={"duplicate_of": question.duplicate_of_id},
        after={"duplicate_of": None},
        tell=f"A mentor removed the duplicate mark from your question “{question.title}”.",
    )


# --- The needs-a-mentor queue ----------------------------------------------------------------


# "Ask a mentor" is the asker's write on their own question: discussions owns it.
mentor_request = forum_services.question_mentor_request


@transaction.atomic
def question_claim(*, mentor: User, question: Question) -> QuestionClaim:
    require_moderator(mentor)
    require(not question.is_deleted, "That question was deleted.")
    claim = QuestionClaim.objects.select_for_update().filter(question=question).first()
    if claim is not None:
        require(claim.mentor_id == mentor.pk, f"{claim.mentor.name} has taken this one.")
        return claim
    try:
        with transaction.atomic():
            claim = QuestionClaim.objects.create(question=question, mentor=mentor)
    except IntegrityError:
        raise PermissionDenied("Another mentor has just taken this one.") from None
    queue_changed()
    return claim


@transaction.atomic
def question_release(*, mentor: User, question: Question) -> None:
    require_moderator(mentor)
    deleted, _ = QuestionClaim.objects.filter(question=question, mentor=mentor).delete()
    require(bool(deleted), "You have not taken this one.")
    queue_changed()
