"""Who may moderate what: plain functions of the acting user and the target, used by the
services before every write, by templates to choose controls, and by the APIs.

Every power here rests on `can_write` (signed in, active, not suspended): a suspended
mentor reads like anyone else. The whole table is tested in one place:
moderation/tests/test_permission_matrix.py.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Role

# The floor, the mentor test and who sees hidden content are the account's rules, shared by
# every app; re-exported for moderation's doors.
from accounts.permissions import (  # noqa: F401
    can_moderate,
    can_write,
    is_mentor,
    may_see_hidden,
    write_refusal,
)
from discussions.permissions import ask_mentor_after, can_ask_mentor  # noqa: F401


def can_flag(user: Any, author_id: int) -> bool:
    """Anyone who may post flags others' posts (once each: the service checks that)."""
    return can_write(user) and author_id != user.pk


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
