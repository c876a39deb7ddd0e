"""Mentors hide and unhide any post or project (the one hide door; each app's own
service writes its row)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from hub.services import require
from moderation.models import Action, TargetKind
from moderation.services.common import (
    hide,
    log_action,
    queue_changed,
    reason_clean,
    require_moderator,
    unhide,
)
from moderation.targets import Target, target_of, visible_to
from projects import permissions as project_permissions

# --- Mentors' actions on posts -------------------------------------------------------------


@transaction.atomic
def content_hide(*, actor: User, target: Target | Any, reason: str) -> Target:
    target = target if isinstance(target, Target) else target_of(target)
    require_moderator(actor)
    require(visible_to(actor, target), "Nothing to hide here.")
    require(not target.is_hidden, f"This {target.noun} is already hidden.")
    if target.kind == TargetKind.PROJECT:
        # The project's own rule (its page shows the control by the same one).
        require(
            project_permissions.can_hide(actor, target.obj),
            "Only a published project can be hidden.",
        )
    reason = reason_clean(reason)
    hide(target, actor=actor, reason=reason)
    log_action(
        actor=actor,
        action=Action.HIDE,
        target=target,
        reason=reason,
        before={"hidden": False},
        after={"hidden": True},
        tell=f"A mentor hid your {target.noun} “{target.label}”: {reason}",
    )
    queue_changed()
    return target


@transaction.atomic
def content_unhide(*, actor: User, target: Target | Any, reason: str = "") -> Target:
    target = target if isinstance(target, Target) else target_of(target)
    require_moderator(actor)
    require(visible_to(actor, target), "Nothing to unhide here.")
    require(target.is_hidden, f"This {target.noun} is not hidden.")
    reason = reason_clean(reason, required=False)
    before = {"hidden": True, "hidden_reason": target.hidden_reason}
    unhide(target, actor=actor)
    log_action(
        actor=actor,
        action=Action.UNHIDE,
        target=target,
        reason=reason,
        before=before,
        after={"hidden": False},
        tell=f"A mentor made your {target.noun} “{target.label}” visible again."
        + (f" {reason}" if reason else ""),
    )
    queue_changed()
    return target
