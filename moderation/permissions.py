"""Who may moderate what: plain functions of the acting user and the target, used by the
services before every write, by templates to choose controls, and by the APIs.

Every power here rests on `can_write` (signed in, active, not suspended): a suspended
mentor reads like anyone else. The whole table is tested in one place:
moderation/tests/test_permission_matrix.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import can_write, write_refusal  # noqa: F401 - used by doors


def is_mentor(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_mentor)


def may_see_hidden(user: Any, post: Any) -> bool:
    """Hidden content stays visible, marked, to mentors and to its author."""
    if not (user and user.is_authenticated):
        return False
    return user.is_mentor or post.author_id == user.pk


def can_flag(user: Any, author_id: int) -> bool:
    """Anyone who may post flags others' posts (once each: the service checks that)."""
    return can_write(user) and author_id != user.pk


def can_moderate(user: Any) -> bool:
    """Pin, lock, hide, move, mark duplicates, edit any post, resolve flags, claim queue
    items, write mentor notes and keep saved replies."""
    return can_write(user) and user.is_mentor


def can_view_queue(user: Any) -> bool:
    """The queue and the log are for mentors (a suspended one still reads them)."""
    return is_mentor(user)


def can_suspend(actor: Any, user: Any) -> bool:
    """Mentors suspend learners; only admins suspend mentors and admins. Nobody
    suspends themselves."""
    if not can_moderate(actor) or actor.pk == user.pk:
        return False
    return actor.is_admin or user.role == Role.LEARNER


def can_lift_suspension(actor: Any, user: Any) -> bool:
    return can_suspend(actor, user)


def can_ask_mentor(user: Any, question: Any) -> bool:
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
