"""Reads of accounts shared by pages and APIs."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import RESERVED_HANDLES, User


def user_get_by_handle(*, handle: str) -> User:
    return get_object_or_404(User.objects.filter(is_active=True), handle=handle.lower())


def handle_is_available(*, handle: str, exclude_user: User | None = None) -> bool:
    handle = handle.lower()
    if handle in RESERVED_HANDLES:
        return False
    users: QuerySet[User] = User.objects.filter(handle=handle)
    if exclude_user is not None:
        users = users.exclude(pk=exclude_user.pk)
    return not users.exists()


def user_find(*, identifier: str) -> User | None:
    """A user by handle (with or without @) or by email, for operators' commands."""
    identifier = identifier.strip()
    if "@" in identifier[1:]:
        return User.objects.filter(email__iexact=identifier).first()
    return User.objects.filter(handle=identifier.lstrip("@").lower()).first()
