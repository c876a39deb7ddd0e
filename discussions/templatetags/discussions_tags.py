"""Template access to discussions.permissions: pages show a control only to those the
service would let through (and the service checks again)."""

from typing import Any

from django import template

from discussions import permissions

register = template.Library()


@register.filter
def editable_by(post: Any, user: Any) -> bool:
    return permissions.can_edit(user, post)


@register.filter
def deletable_by(post: Any, user: Any) -> bool:
    return permissions.can_delete(user, post)


@register.filter
def acceptable_by(question: Any, user: Any) -> bool:
    return permissions.can_accept(user, question)


@register.filter
def answerable_by(question: Any, user: Any) -> bool:
    return permissions.can_answer(user, question)


@register.filter
def commentable_by(question: Any, user: Any) -> bool:
    return permissions.can_comment(user, question)


@register.filter
def answer_refusal_for(question: Any, user: Any) -> str:
    """Why this person cannot answer here: their account first, then the question."""
    return permissions.refusal_for(user, question, answering=True)


@register.filter
def write_refusal(user: Any) -> str:
    return permissions.write_refusal(user)


@register.filter
def in_set(value: Any, collection: Any) -> bool:
    return isinstance(collection, set | frozenset | list | tuple) and value in collection
