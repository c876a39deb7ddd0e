"""Who may do what with the guide: plain functions of the acting user (and the object),
used by the services, the templates and every door alike."""

from __future__ import annotations

from typing import Any

from accounts.permissions import can_moderate, can_write, write_refusal

__all__ = [
    "can_close_in_guide",
    "can_decide_proposal",
    "can_edit",
    "can_promote_answer",
    "can_propose",
    "can_resolve_feedback",
    "can_revert",
    "can_review",
    "can_vote_helpful",
    "write_refusal",
]


def _mentor(user: Any) -> bool:
    return can_moderate(user)


def can_edit(user: Any) -> bool:
    """Mentors edit sections directly (and write new ones)."""
    return _mentor(user)


def can_propose(user: Any) -> bool:
    """Anyone who may post proposes an edit; a mentor decides."""
    return can_write(user)


def can_decide_proposal(user: Any, proposal: Any = None) -> bool:
    return _mentor(user)


def can_revert(user: Any) -> bool:
    return _mentor(user)


def can_review(user: Any) -> bool:
    return _mentor(user)


def can_vote_helpful(user: Any) -> bool:
    return can_write(user)


def can_resolve_feedback(user: Any) -> bool:
    return _mentor(user)


def can_promote_answer(user: Any, answer: Any = None) -> bool:
    """Mentors add an accepted answer to the guide."""
    if not _mentor(user):
        return False
    if answer is None:
        return True
    question = answer.question
    return (
        question.accepted_answer_id == answer.pk
        and not answer.is_deleted
        and answer.hidden_at is None
    )


def can_close_in_guide(user: Any, question: Any = None) -> bool:
    if not _mentor(user):
        return False
    return question is None or not question.is_deleted
