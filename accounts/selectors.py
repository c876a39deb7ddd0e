"""Reads of accounts shared by pages and APIs."""

from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import RESERVED_HANDLES, ApiToken, User, token_digest


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


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token whose secret is `raw`, with its owner loaded; None for an unknown,
    revoked or expired token or an inactive owner. One query. Reads only: the door calls
    `accounts.services.token_touch` to record the use."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    digest = token_digest(raw)
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )


def tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """A person's tokens for the settings page, newest first (revoked ones too, greyed)."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at", "-pk"
    )
