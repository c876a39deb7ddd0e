"""Template access to moderation.permissions and a mentor's saved replies: pages show a
control only to those the service would let through (and the service checks again)."""

from typing import Any

from django import template

from hub.routes import url_pattern
from moderation import permissions, selectors

register = template.Library()


@register.filter
def flaggable_by(post: Any, user: Any) -> bool:
    return permissions.can_flag(user, post.author_id)


@register.filter
def moderation_url(post: Any, route: str) -> str:
    """Moderation's `route` (flag, hide, unhide) for a question, answer, comment, project
    or feedback (its model's name is its kind), from a pattern reversed once per process
    per kind. The content apps' pages load this library; their models never name
    moderation's routes (docs/decisions/0019)."""
    return url_pattern(f"moderation:{route}", post._meta.model_name).format(post.pk)


@register.filter
def flag_url(post: Any) -> str:
    return moderation_url(post, "flag")


@register.filter
def moderator(user: Any) -> bool:
    return permissions.can_moderate(user)


@register.filter
def suspendable_by(person: Any, user: Any) -> bool:
    return permissions.can_suspend(user, person)


@register.filter
def may_ask_mentor(question: Any, user: Any) -> bool:
    return permissions.can_ask_mentor(user, question)


@register.simple_tag
def saved_replies_of(user: Any) -> list:
    """A mentor's saved replies (one query, mentors only; nobody else pays for it)."""
    return selectors.saved_replies(owner=user)


@register.simple_tag
def mentor_notes_of(user: Any, question: Any) -> list:
    """A question's mentor notes for its page (one query, mentors only): the thread page
    is discussions', which never imports moderation."""
    return selectors.mentor_notes(viewer=user, question_id=question.pk)
