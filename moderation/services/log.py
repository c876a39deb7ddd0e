"""The moderation log: one entry per action, and the word to the person it touched.

Every action of this package writes its entry here. Other apps never import it: what
they do that moderation logs (a mentor's edit in discussions, a guide's close) reaches
moderation as a domain hook (hub.hooks), subscribed in moderation/receivers.py.
"""

from __future__ import annotations

from typing import Any

from moderation.models import LogEntry, TargetKind
from notifications.models import Kind
from notifications.services import notify


def record(
    *,
    actor: Any,
    action: str,
    target_kind: str,
    target_id: int,
    target_label: str,
    target_url: str = "",
    target_user: Any = None,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    tell: str = "",
) -> LogEntry:
    """Write one log entry; with `tell`, notify the person touched (never the actor)
    with that sentence, which carries the reason."""
    entry = LogEntry.objects.create(
        actor=actor,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        target_label=target_label[:200],
        target_url=target_url[:300],
        target_user=target_user,
        reason=reason,
        before=before or {},
        after=after or {},
    )
    if tell and target_user is not None:
        notify(
            recipients=[target_user],
            kind=Kind.MODERATION,
            actor=actor,
            # One row per action: moderation notices are never coalesced ("3 actions").
            target_key=f"moderation:{entry.pk}",
            target_title=tell[:200],
            url=target_url or "/",
        )
    return entry


def record_edit(*, editor: Any, kind: str, post: Any, label: str, url: str, before: dict) -> None:
    """A mentor edited someone else's post (the revision history has the full text)."""
    if editor.pk == post.author_id:
        return
    from moderation.models import Action

    record(
        actor=editor,
        action=Action.EDIT,
        target_kind=kind,
        target_id=post.pk,
        target_label=label,
        target_url=url,
        target_user=post.author,
        before=before,
        after={key: _current(post, key) for key in before},
        tell=(
            f"A mentor edited your question “{label}”."
            if kind == TargetKind.QUESTION
            else f"A mentor edited your {TargetKind(kind).label.lower()} on “{label}”."
        ),
    )


def _current(post: Any, field: str) -> Any:
    """A post's value now, in the form the edit's `before` gives it (a category by slug)."""
    value = getattr(post, field)
    return getattr(value, "slug", value)
