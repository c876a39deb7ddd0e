"""Who may do what with accounts: plain functions of the acting user and the target."""

from typing import Any

from accounts.models import Role, User


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
