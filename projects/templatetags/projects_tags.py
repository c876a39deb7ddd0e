"""Template access to projects.permissions: controls show only for those the service
would let through (and the service checks again)."""

from typing import Any

from django import template

from projects import permissions

register = template.Library()


def _check(name: str):
    check = getattr(permissions, f"can_{name}")

    def project_filter(project: Any, user: Any) -> bool:
        return bool(user and getattr(user, "is_authenticated", False) and check(user, project))

    return project_filter


for _name in (
    "edit",
    "publish",
    "unpublish",
    "hide",
    "unhide",
    "star",
    "give_feedback",
    "request_review",
    "claim_review",
    "submit_review",
    "release_review",
):
    register.filter(f"can_{_name}", _check(_name))


@register.filter
def feedback_editable_by(feedback: Any, user: Any) -> bool:
    return bool(user and user.is_authenticated and permissions.can_edit_feedback(user, feedback))


@register.filter
def feedback_deletable_by(feedback: Any, user: Any) -> bool:
    return bool(user and user.is_authenticated and permissions.can_delete_feedback(user, feedback))
