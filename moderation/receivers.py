"""What moderation does when the apps below it announce something (hub.hooks): they
never import moderation; `connect()` subscribes these in ModerationConfig.ready().

    guide.question_closed / guide.question_reopened   logged like a duplicate mark, the
                                                      asker told (in the guide's transaction)
    discussions.post_edited                           a mentor's edit of someone's post:
                                                      logged, the author told
    projects.feedback_removed                         a mentor deleted someone's feedback:
                                                      logged, the author told
    discussions.queue_changed, projects.queue_changed,
    guide.queue_changed                               the queue's open tabs refresh
"""

from __future__ import annotations

from typing import Any

from hub import hooks
from moderation import events
from moderation.models import Action, TargetKind
from moderation.services.log import record, record_edit
from moderation.targets import target_of


def connect() -> None:
    hooks.connect("guide.question_closed", question_closed_in_guide)
    hooks.connect("guide.question_reopened", question_reopened_from_guide)
    hooks.connect("discussions.post_edited", record_edit)
    hooks.connect("projects.feedback_removed", feedback_removed)
    for name in ("discussions.queue_changed", "projects.queue_changed", "guide.queue_changed"):
        hooks.connect(name, events.queue_changed)


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


def feedback_removed(*, actor: Any, feedback: Any) -> None:
    target = target_of(feedback)
    record(
        actor=actor,
        action=Action.DELETE,
        target_kind=target.kind,
        target_id=target.pk,
        target_label=target.label,
        target_url=target.url,
        target_user=target.author,
        before={"deleted": False},
        after={"deleted": True},
        tell=f"A mentor deleted your {target.noun} “{target.label}”.",
    )
