"""Who may do what in discussions: pure functions of the acting user and the post.

Services call these before every write; templates call them to decide which controls to
show; the APIs will call the same ones. Each returns a bool; `reason_*` helpers give the
message a refusal shows.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.permissions import (  # noqa: F401 - used here and by doors
    can_write,
    is_mentor,
    write_refusal,
)
from discussions.models import Answer, Comment, Question

Post = Question | Answer | Comment


def can_ask(user: Any) -> bool:
    return can_write(user)


def can_answer(user: Any, question: Question) -> bool:
    """Open questions take answers: not locked, not a duplicate, not hidden."""
    return can_write(user) and answer_refusal(question) == ""


def can_comment(user: Any, question: Question) -> bool:
    """Comments go on what takes answers, and on duplicates too (to point at the original)."""
    return can_write(user) and comment_refusal(question) == ""


def _thread_refusal(question: Question, *, duplicate_refuses: bool) -> str:
    """Why the thread takes no new posts now ("" when it does), in words for the person."""
    if question.is_deleted:
        return "This question was deleted."
    if question.locked_at is not None:
        return f"This question is locked: {question.lock_reason}"
    if duplicate_refuses and question.duplicate_of_id is not None:
        return "This question is a duplicate: answer the original instead."
    if question.hidden_at is not None:
        return "This question is hidden while a mentor reviews it."
    return ""


def answer_refusal(question: Question) -> str:
    """Why a question takes no answers now ("" when it does)."""
    return _thread_refusal(question, duplicate_refuses=True)


def comment_refusal(question: Question) -> str:
    """Why a question and its answers take no comments now ("" when they do)."""
    return _thread_refusal(question, duplicate_refuses=False)


def refusal_for(user: Any, question: Question, *, answering: bool) -> str:
    """Why this person cannot answer (or comment) here: their account first, then the
    question ("" when they can)."""
    if not can_write(user):
        return write_refusal(user)
    return answer_refusal(question) if answering else comment_refusal(question)


def can_edit(user: Any, post: Post) -> bool:
    """Authors edit their own posts; mentors edit any (the revision records who)."""
    return can_write(user) and not post.is_deleted and (post.author_id == user.pk or user.is_mentor)


def can_delete(user: Any, post: Post) -> bool:
    """Authors delete their own answers and comments, and their questions while unanswered."""
    if not (can_write(user) and not post.is_deleted and post.author_id == user.pk):
        return False
    if isinstance(post, Question):
        return post.answer_count == 0
    return True


def can_vote(user: Any, post: Question | Answer) -> bool:
    return can_write(user) and not post.is_deleted and post.author_id != user.pk


def can_accept(user: Any, question: Question) -> bool:
    """The asker or a mentor marks (and unmarks) the accepted answer."""
    return (
        can_write(user)
        and not question.is_deleted
        and (question.author_id == user.pk or user.is_mentor)
    )


def can_follow(user: Any, question: Question) -> bool:
    return bool(user and user.is_authenticated) and not question.is_deleted


def can_ask_mentor(user: Any, question: Question) -> bool:
    """The asker calls for a mentor once the question has waited an hour without one."""
    return (
        can_write(user)
        and question.author_id == user.pk
        and not question.is_deleted
        and not question.has_mentor_answer
        and question.mentor_requested_at is None
        and question.created_at <= timezone.now() - ask_mentor_after()
    )


def ask_mentor_after() -> timedelta:
    return settings.NEXUS_ASK_MENTOR_AFTER
