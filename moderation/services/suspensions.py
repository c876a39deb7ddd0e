"""Suspending an account and lifting it (accounts writes the row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from hub.services import require
from moderation import permissions
from moderation.models import Action, TargetKind
from moderation.services.common import reason_clean, require_moderator
from moderation.services.log import record

# --- Accounts ----------------------------------------------------------------------------


@transaction.atomic
def user_suspend(*, actor: User, user: User, until: datetime, reason: str) -> User:
    """Suspended people read, and see why and until when, but cannot post, vote, flag or
    star. The suspension ends by itself at `until`."""
    require_moderator(actor)
    require(
        permissions.can_suspend(actor, user),
        "You cannot suspend yourself."
        if actor.pk == user.pk
        else "Only admins can suspend mentors and admins.",
    )
    if until <= timezone.now():
        raise ValidationError({"until": "Choose a moment in the future."})
    reason = reason_clean(reason)
    before = {
        "suspended_until": user.suspended_until.isoformat() if user.is_suspended else None,
        "reason": user.suspension_reason if user.is_suspended else "",
    }
    when = until.strftime("%d %b %Y, %H:%M UTC")
    return _suspension_set(
        actor=actor,
        user=user,
        until=until,
        reason=reason,
        action=Action.SUSPEND,
        before=before,
        tell=f"Your account is suspended until {when}: {reason}",
    )


@transaction.atomic
def suspension_lift(*, actor: User, user: User, reason: str = "") -> User:
    require_moderator(actor)
    require(
        permissions.can_lift_suspension(actor, user),
        "You cannot lift your own suspension."
        if actor.pk == user.pk
        else "Only admins can lift a mentor's or an admin's suspension.",
    )
    require(user.is_suspended, f"@{user.handle} is not suspended.")
    reason = reason_clean(reason, required=False)
    before = {"suspended_until": user.suspended_until.isoformat(), "reason": user.suspension_reason}
    return _suspension_set(
        actor=actor,
        user=user,
        until=None,
        reason=reason,
        action=Action.UNSUSPEND,
        before=before,
        tell="Your suspension is lifted: you can post again." + (f" {reason}" if reason else ""),
    )


def _suspension_set(
    *,
    actor: User,
    user: User,
    until: datetime | None,
    reason: str,
    action: str,
    before: dict[str, Any],
    tell: str,
) -> User:
    """Write the account's suspension (None lifts it) and its one log entry."""
    account_services.user_suspension_set(user=user, until=until, reason=reason)
    record(
        actor=actor,
        action=action,
        target_kind=TargetKind.USER,
        target_id=user.pk,
        target_label=f"@{user.handle}",
        target_url=user.get_absolute_url(),
        target_user=user,
        reason=reason,
        before=before,
        after={"suspended_until": until.isoformat() if until else None},
        tell=tell,
    )
    return user
