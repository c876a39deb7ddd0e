"""Who may do what with projects: pure functions of the acting user and the object.

Services call these before every write; templates call them to decide which controls to
show; the APIs will call the same ones. The floor for every write (`can_write`, signed
in and not suspended) is the account's, in accounts.permissions.
"""

from typing import Any

from accounts.permissions import (  # noqa: F401 - used here and by doors
    can_moderate,
    can_write,
    is_mentor,
    write_refusal,
)
from projects.models import Feedback, Project, ReviewState, State


def is_author(user: Any, project: Project) -> bool:
    return bool(user and user.is_authenticated and project.author_id == user.pk)


def can_view(user: Any, project: Project) -> bool:
    """Published projects are public; drafts are the author's alone; hidden ones are seen
    by the author and mentors (who hid them)."""
    if project.state == State.PUBLISHED:
        return True
    if project.state == State.DRAFT:
        return is_author(user, project)
    return is_author(user, project) or is_mentor(user)


def can_create(user: Any) -> bool:
    return can_write(user)


def can_edit(user: Any, project: Project) -> bool:
    """Only the author edits a project (mentors hide, they do not rewrite)."""
    return can_write(user) and is_author(user, project)


def can_publish(user: Any, project: Project) -> bool:
    return can_edit(user, project) and project.state == State.DRAFT


def can_unpublish(user: Any, project: Project) -> bool:
    return can_edit(user, project) and project.state == State.PUBLISHED


def can_hide(user: Any, project: Project) -> bool:
    """Who may hide a project: one rule, used by its page's controls and by moderation's
    content_hide (which logs it and tells the author)."""
    return can_moderate(user) and project.state == State.PUBLISHED


def can_unhide(user: Any, project: Project) -> bool:
    return can_moderate(user) and project.state == State.HIDDEN


def can_star(user: Any, project: Project) -> bool:
    """One star per person on a published project, never on your own."""
    return can_write(user) and project.state == State.PUBLISHED and not is_author(user, project)


def can_give_feedback(user: Any, project: Project) -> bool:
    return can_write(user) and project.state == State.PUBLISHED


def can_edit_feedback(user: Any, feedback: Feedback) -> bool:
    return can_write(user) and not feedback.is_deleted and feedback.author_id == user.pk


def can_delete_feedback(user: Any, feedback: Feedback) -> bool:
    """Authors delete their own feedback; mentors remove any (moderation)."""
    return (
        can_write(user)
        and not feedback.is_deleted
        and (feedback.author_id == user.pk or is_mentor(user))
    )


def can_request_review(user: Any, project: Project) -> bool:
    """The author of a published project that wants feedback, when no review is pending."""
    return (
        can_edit(user, project)
        and project.state == State.PUBLISHED
        and project.feedback_wanted
        and project.review_state in (ReviewState.NONE, ReviewState.REVIEWED)
    )


def can_claim_review(user: Any, project: Project) -> bool:
    return (
        can_write(user)
        and is_mentor(user)
        and not is_author(user, project)
        and project.state == State.PUBLISHED
        and project.review_state == ReviewState.REQUESTED
        and project.reviewer_id is None
    )


def can_submit_review(user: Any, project: Project) -> bool:
    """The mentor who claimed the review, and only them."""
    return (
        can_write(user)
        and is_mentor(user)
        and not is_author(user, project)
        and project.review_state == ReviewState.IN_REVIEW
        and project.reviewer_id == user.pk
    )


def can_release_review(user: Any, project: Project) -> bool:
    """The claiming mentor gives the claim back (to the queue)."""
    return can_submit_review(user, project)
