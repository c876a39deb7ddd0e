"""Log entries for the guide's moderation actions, subscribed to its hooks (hub.hooks)
in ModerationConfig.ready(): closing a question as answered in the guide is like marking
it a duplicate, so it is logged and its asker is told, in the guide's transaction."""

from __future__ import annotations

from typing import Any

from moderation.log import record
from moderation.models import Action, TargetKind


def question_closed_in_guide(*, actor: Any, question: Any, section: Any, reason: str = "") -> None:
    record(
        actor=actor,
        action=Action.GUIDE_CLOSE,
        target_kind=TargetKind.QUESTION,
        target_id=question.pk,
        target_label=question.title,
        target_url=question.get_absolute_url(),
        target_user=question.author,
        reason=reason,
        after={"guide_section": section.pk},
        tell=f"A mentor closed your question “{question.title}” as answered in the guide: "
        f"{section.title}." + (f" {reason}" if reason else ""),
    )


def question_reopened_from_guide(*, actor: Any, question: Any, section: Any) -> None:
    record(
        actor=actor,
        action=Action.GUIDE_REOPEN,
        target_kind=TargetKind.QUESTION,
        target_id=question.pk,
        target_label=question.title,
        target_url=question.get_absolute_url(),
        target_user=question.author,
        before={"guide_section": section.pk},
        tell=f"A mentor reopened your question “{question.title}”.",
    )
