"""Who may do what in discussions: pure functions of the acting user and the post.

Services call these before every write; templates call them to decide which controls to
show; the APIs will call the same ones. Each returns a bool; `reason_*` helpers give the
message a refusal shows.
"""

from typing import Any

from accounts.models import User
from accounts.permissions import can_write, write_refusal  # noqa: F401 - used here and by doors
from discussions.models import Answer, Comment, Question

Post = Question | Answer | Comment


def can_view_question(user: Any, question: Question) -> bool:
    return not question.is_deleted


def can_ask(user: Any) -> bool:
    return can_write(user)


def can_answer(user: Any, question: Question) -> bool:
    """Open questions take answers: not locked, not a duplicate, not hidden."""
    return can_write(user) and answer_refusal(question) == ""


def answer_refusal(question: Question) -> str:
    """Why a question takes no answers now ("" when it does), in words for the person."""
    if question.is_deleted:
        return "This question was deleted."
    if question.locked_at is not None:
        return f"This question is locked: {question.lock_reason}"
    if question.duplicate_of_id is not None:
        return "This question is a duplicate: answer the original instead."
    if question.hidden_at is not None:
        return "This question is hidden while a mentor reviews it."
    return ""


def can_comment(user: Any, question: Question) -> bool:
    return can_write(user) and comment_refusal(question) == ""


def comment_refusal(question: Question) -> str:
    if question.is_deleted:
        return "This question was deleted."
    if question.locked_at is not None:
        return f"This question is locked: {question.lock_reason}"
    if question.hidden_at is not None:
        return "This question is hidden while a mentor reviews it."
    return ""


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


def is_mentor(user: User | Any) -> bool:
    return bool(user and user.is_authenticated and user.is_mentor)
