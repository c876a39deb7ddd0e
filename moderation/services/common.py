"""The steps moderation's actions share: who may moderate, a reason's shape, hiding and
unhiding through the target's own app, one log entry per action, the queue's hint."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from hub.services import after_commit, require
from moderation import events, permissions
from moderation.models import REASON_MAX, LogEntry
from moderation.services.log import record
from moderation.targets import Target

QUESTION_LINK_RE = re.compile(r"(?:^|/q/)(\d+)(?:[/?#]|$)")


def require_moderator(user: Any) -> None:
    if not permissions.can_write(user):
        raise PermissionDenied(permissions.write_refusal(user))
    require(permissions.can_moderate(user), "Only mentors can do that.")


def reason_clean(raw: str, *, required: bool = True, field: str = "reason") -> str:
    reason = " ".join((raw or "").split())
    if required and not reason:
        raise ValidationError({field: "Give a reason: the person affected is told it."})
    if len(reason) > REASON_MAX:
        raise ValidationError({field: f"At most {REASON_MAX} characters."})
    return reason


def queue_changed() -> None:
    after_commit(events.queue_changed)


def question_id_parse(raw: str) -> int | None:
    """`123`, `/q/123/slug/` or a full link to a question -> 123."""
    match = QUESTION_LINK_RE.search((raw or "").strip())
    return int(match.group(1)) if match else None


# --- Hiding, shared by flags and mentors -------------------------------------------------


def hide(target: Target, *, actor: Any, reason: str) -> None:
    target.hidden_set(hidden=True, actor=actor, reason=reason)


def unhide(target: Target, *, actor: Any) -> None:
    target.hidden_set(hidden=False, actor=actor)


def log_action(
    *,
    actor: Any,
    action: str,
    target: Target,
    reason: str = "",
    before: dict | None = None,
    after: dict | None = None,
    tell: str = "",
) -> LogEntry:
    return record(
        actor=actor,
        action=action,
        target_kind=target.kind,
        target_id=target.pk,
        target_label=target.label,
        target_url=target.url,
        target_user=target.author,
        reason=reason,
        before=before,
        after=after,
        tell=tell,
    )
