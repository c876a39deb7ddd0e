"""Who may do what with accounts: plain functions of the acting user and the target."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts.models import ApiToken, Role, TokenScope, User


def can_edit_profile(actor: User, user: User) -> bool:
    return actor.is_authenticated and (actor.pk == user.pk or actor.is_admin)


def can_set_role(actor: User | None, user: User, role: str) -> bool:
    """Admins grant and take roles; nobody demotes themselves out of admin by accident.

    `actor=None` is the system itself (a management command run by an operator).
    """
    if role not in Role.values:
        return False
    if actor is None:
        return True
    if not (actor.is_authenticated and actor.is_admin):
        return False
    return not (actor.pk == user.pk and role != Role.ADMIN)


def can_write(user: Any) -> bool:
    """Signed in, active and not suspended: the floor for every write in every app."""
    return bool(user and user.is_authenticated and user.is_active and not user.is_suspended)


def write_refusal(user: Any) -> str:
    """Why `can_write` said no, in words for the person."""
    if not (user and user.is_authenticated):
        return "Log in to take part."
    if user.is_suspended:
        until = user.suspended_until.strftime("%d %b %Y, %H:%M UTC")
        reason = f": {user.suspension_reason}" if user.suspension_reason else ""
        return f"Your account is suspended until {until}{reason}. You can still read."
    return "Your account cannot post."


def require_writer(user: Any) -> None:
    """Refuse (PermissionDenied, in words for the person) anyone `can_write` refuses."""
    if not can_write(user):
        raise PermissionDenied(write_refusal(user))


def is_mentor(user: Any) -> bool:
    """A signed-in mentor or admin (a suspended one still reads what mentors read)."""
    return bool(user and user.is_authenticated and user.is_mentor)


def can_moderate(user: Any) -> bool:
    """Pin, lock, hide, move, mark duplicates, edit any post, resolve flags: a mentor who
    may write."""
    return can_write(user) and user.is_mentor


def may_see_hidden(user: Any, post: Any) -> bool:
    """Hidden content (a mentor's or flags' doing) stays visible, marked, to mentors and
    to its author; everyone else sees it gone. `hidden_shown_to` is the same rule as a
    query: every selector and queryset uses one or the other."""
    if not (user and user.is_authenticated):
        return False
    return user.is_mentor or post.author_id == user.pk


def hidden_shown_to(viewer: Any, prefix: str = "") -> Q:
    """`may_see_hidden` as a filter over rows with `hidden_at` and `author` (`prefix`
    reaches them through a relation: `"answer__"`)."""
    if is_mentor(viewer):
        return Q()
    not_hidden = Q(**{f"{prefix}hidden_at__isnull": True})
    if viewer and viewer.is_authenticated:
        return not_hidden | Q(**{f"{prefix}author": viewer})
    return not_hidden


def can_revoke_token(actor: Any, token: ApiToken) -> bool:
    return bool(actor and actor.is_authenticated and (actor.pk == token.user_id or actor.is_admin))


def token_allows(token: ApiToken | None, scope: str) -> bool:
    """May a request carrying this token do what `scope` names, now?

    A token never grants more than its owner could do on the pages at this moment: its
    scopes are a ceiling, the owner's current role and standing the floor. A mentor
    demoted to learner loses `moderate` at once; a suspended account's tokens only read.
    """
    if token is None or not token.is_usable or scope not in token.scopes:
        return False
    user = token.user
    if not user.is_active:
        return False
    if scope == TokenScope.READ:
        return True
    if not can_write(user):
        return False
    if scope == TokenScope.MODERATE:
        return user.is_mentor
    return scope == TokenScope.WRITE
