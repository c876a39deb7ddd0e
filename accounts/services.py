"""Every write to accounts. Views, the admin, commands and APIs call these."""

import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import ApiToken, Role, TokenScope, User, token_digest
from accounts.permissions import can_edit_profile, can_revoke_token, can_set_role
from accounts.selectors import handle_is_available
from hub import cache, live
from hub.links import link_validate

logger = logging.getLogger("nexus.accounts.tokens")

PROFILE_FIELDS = ("display_name", "bio", "github", "website", "cohort", "track")


def handle_validate(*, handle: str, exclude_user: User | None = None) -> str:
    """Normalise a handle and check it is well-formed and free; raise ValidationError."""
    handle = handle.strip().lstrip("@").lower()
    field = User._meta.get_field("handle")
    if len(handle) < 3:
        raise ValidationError("A handle needs at least 3 characters.", code="too_short")
    field.run_validators(handle)
    if len(handle) > field.max_length:
        raise ValidationError(f"At most {field.max_length} characters.", code="too_long")
    if not handle_is_available(handle=handle, exclude_user=exclude_user):
        raise ValidationError("That handle is taken. Try another.", code="taken")
    return handle


@transaction.atomic
def user_create(
    *,
    email: str,
    handle: str,
    password: str | None,
    display_name: str = "",
    role: str = Role.LEARNER,
    **profile: str,
) -> User:
    """Create an account (demo data, tests, operators). Sign-up goes through allauth,
    whose adapter fills the same fields."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        handle=handle_validate(handle=handle),
        display_name=display_name,
        role=role,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
        **profile,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_profile_update(*, actor: User, user: User, **fields: str) -> User:
    if not can_edit_profile(actor, user):
        raise PermissionDenied("You can only edit your own profile.")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    if fields.get("website"):
        fields["website"] = link_validate(fields["website"], field="website")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    # Names and badges appear in every cached thread and list: a new generation for all.
    transaction.on_commit(lambda: cache.version_bump("site"), robust=True)
    return user


@transaction.atomic
def user_role_set(*, actor: User | None, user: User, role: str) -> User:
    """Grant or take a role. Admins also get the Django admin (is_staff/is_superuser)."""
    if not can_set_role(actor, user, role):
        raise PermissionDenied("Only an admin can change roles (and not their own admin role).")
    user.role = role
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    # Their sockets re-check (a demoted mentor leaves mentor-only topics at once); their
    # sessions get a new key on their next request (hub.middleware.SessionRotationMiddleware).
    live.access_changed_on_commit(user.pk)
    transaction.on_commit(lambda: cache.version_bump("site"), robust=True)  # mentor badges
    return user


@transaction.atomic
def user_suspension_set(*, user: User, until: datetime | None, reason: str = "") -> User:
    """Write an account's suspension (None lifts it). The row only: moderation's
    user_suspend and suspension_lift decide who may, log it and tell the person. Their
    open sockets re-check at once (a suspended account's sockets close)."""
    user.suspended_until, user.suspension_reason = until, reason if until else ""
    user.save(update_fields=["suspended_until", "suspension_reason"])
    live.access_changed_on_commit(user.pk)
    return user


# --- Personal access tokens (the REST and GraphQL APIs) --------------------------------

TOKEN_PREFIX = "nxs_"  # noqa: S105 - recognisable in a leaked file or a secret scanner's rules
TOKENS_PER_USER = 20  # live (neither revoked nor expired) tokens one account may hold
TOKEN_TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


@transaction.atomic
def token_create(
    *, user: User, name: str, scopes: Iterable[str], expires_at: datetime | None
) -> tuple[ApiToken, str]:
    """Make a token; return it with the raw secret, which is never stored nor shown again.

    Every token reads; `write` and `moderate` are added on request (`moderate` only for
    mentors and admins). What a token may do is checked again at each use against its
    owner's role then (`accounts.permissions.token_allows`).
    """
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied("Log in to make a token.")
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Name the token after what will use it, e.g. “my React client”."
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = "At most 60 characters."
    elif ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        errors["name"] = "You already have a token with that name."
    wanted = set(scopes) | {TokenScope.READ}
    if wanted - set(TokenScope.values):
        errors["scopes"] = f"Scopes are {', '.join(TokenScope.values)}."
    elif TokenScope.MODERATE in wanted and not user.is_mentor:
        errors["scopes"] = "Only mentors and admins can make a moderate token."
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = "Choose a moment in the future."
    if errors:
        raise ValidationError(errors)
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True).exclude(
        expires_at__lte=timezone.now()
    )
    if live.count() >= TOKENS_PER_USER:
        raise PermissionDenied(f"You have {TOKENS_PER_USER} tokens: revoke one first.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(raw),
        scopes=[scope for scope in TokenScope.values if scope in wanted],
        expires_at=expires_at,
    )
    logger.info(
        "token created id=%s user=%s scopes=%s expires_at=%s",
        token.pk, user.pk, ",".join(token.scopes), expires_at.isoformat() if expires_at else "-",
    )  # fmt: skip
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token at once (its owner, or an admin). Revoking twice changes nothing."""
    if not can_revoke_token(actor, token):
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("token revoked id=%s user=%s by=%s", token.pk, token.user_id, actor.pk)
    return token


def token_touch(*, token: ApiToken) -> None:
    """Record that a token was used, at most once a minute (an API request must not pay a
    write each time). One UPDATE, no transaction of its own."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_TOUCH_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


@transaction.atomic
def user_sign_out_everywhere(*, actor: User, user: User) -> int:
    """End every session of `user` (every browser, this one included), close their live
    sockets, and revoke their API tokens. Returns how many tokens were revoked.

    Sessions end by changing the account's session auth hash (`session_version`): every
    stored session still carries the old one, so Django (and the socket check) refuse it
    on its next use, whatever the session backend holds."""
    if not can_edit_profile(actor, user):
        raise PermissionDenied("You can only sign yourself out everywhere.")
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])
    now = timezone.now()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    logger.info("signed out everywhere user=%s by=%s tokens_revoked=%s", user.pk, actor.pk, revoked)
    live.access_changed_on_commit(user.pk)
    return revoked
