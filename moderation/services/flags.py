"""Flags and the cases they open: flag, claim, release, resolve."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from discussions.models import Question
from hub.services import require
from moderation import permissions
from moderation.models import (
    FLAGGABLE,
    REASON_MAX,
    Action,
    Case,
    Flag,
    FlagReason,
    TargetKind,
)
from moderation.services.common import (
    hide,
    log_action,
    question_id_parse,
    queue_changed,
    reason_clean,
    require_moderator,
    unhide,
)
from moderation.targets import Target, target_get, target_of, visible_to

# --- Flags -------------------------------------------------------------------------------


def _flag_detail(reason: str, detail: str, target: Target) -> str:
    detail = " ".join((detail or "").split())
    if len(detail) > REASON_MAX:
        raise ValidationError({"detail": f"At most {REASON_MAX} characters."})
    if reason == FlagReason.OTHER and not detail:
        raise ValidationError({"detail": "Say what is wrong: mentors read it."})
    if reason == FlagReason.DUPLICATE:
        if target.kind != TargetKind.QUESTION:
            raise ValidationError({"reason": "Only a question can be a duplicate."})
        original_id = question_id_parse(detail)
        if original_id is None:
            raise ValidationError({"detail": "Paste the link of the original question."})
        if (
            original_id == target.pk
            or not Question.objects.filter(
                pk=original_id, is_deleted=False, hidden_at=None
            ).exists()
        ):
            raise ValidationError({"detail": "That link is not another question here."})
    return detail


@transaction.atomic
def flag_create(*, reporter: User, target: Target | Any, reason: str, detail: str = "") -> Flag:
    """Flag a post once. Flags from NEXUS_FLAG_HIDE_THRESHOLD distinct people hide it at
    once, pending a mentor's review, and its author is told why."""
    target = target if isinstance(target, Target) else target_of(target)
    if not permissions.can_write(reporter):
        raise PermissionDenied(permissions.write_refusal(reporter))
    require(target.kind in FLAGGABLE and visible_to(reporter, target), "Nothing to flag here.")
    require(permissions.can_flag(reporter, target.author_id), "You cannot flag your own post.")
    if reason not in FlagReason.values:
        raise ValidationError({"reason": "Choose a reason."})
    detail = _flag_detail(reason, detail, target)
    if Flag.objects.filter(reporter=reporter, kind=target.kind, object_id=target.pk).exists():
        raise PermissionDenied(f"You have already flagged this {target.noun}.")
    now = timezone.now()
    case = (
        Case.objects.select_for_update()
        .filter(kind=target.kind, object_id=target.pk, state=Case.State.OPEN)
        .first()
    )
    if case is None:
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    kind=target.kind,
                    object_id=target.pk,
                    target_author_id=target.author_id,
                    target_label=target.label,
                    opened_at=now,
                    last_flagged_at=now,
                )
        except IntegrityError:  # another flag opened it at the same moment
            case = Case.objects.select_for_update().get(
                kind=target.kind, object_id=target.pk, state=Case.State.OPEN
            )
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                case=case,
                reporter=reporter,
                kind=target.kind,
                object_id=target.pk,
                reason=reason,
                detail=detail,
                created_at=now,
            )
    except IntegrityError:  # a double click raced us
        raise PermissionDenied(f"You have already flagged this {target.noun}.") from None
    Case.objects.filter(pk=case.pk).update(flag_count=F("flag_count") + 1, last_flagged_at=now)
    case.refresh_from_db(fields=["flag_count"])
    threshold = settings.NEXUS_FLAG_HIDE_THRESHOLD
    if case.flag_count >= threshold and not case.hidden_by_flags and not target.is_hidden:
        hide_reason = (
            f"Flagged by {case.flag_count} people ({_reasons_summary(case)}); "
            "hidden until a mentor reviews it."
        )
        hide(target, actor=None, reason=hide_reason)
        Case.objects.filter(pk=case.pk).update(hidden_by_flags=True)
        log_action(
            actor=None,
            action=Action.AUTO_HIDE,
            target=target,
            reason=hide_reason,
            tell=f"Your {target.noun} “{target.label}” is hidden: {hide_reason}",
        )
    queue_changed()
    return flag


def _reasons_summary(case: Case) -> str:
    labels = dict(FlagReason.choices)
    reasons = sorted(set(case.flags.values_list("reason", flat=True)))
    return ", ".join(labels[r].lower() for r in reasons)


def _open_case(case: Case) -> Case:
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    require(
        locked is not None and locked.state == Case.State.OPEN, "These flags are already resolved."
    )
    return locked


@transaction.atomic
def case_claim(*, mentor: User, case: Case) -> Case:
    """Take a flagged post so two mentors do not work the same one."""
    require_moderator(mentor)
    case = _open_case(case)
    require(
        case.claimed_by_id in (None, mentor.pk),
        f"{case.claimed_by.name if case.claimed_by else 'Another mentor'} has taken this one.",
    )
    case.claimed_by, case.claimed_at = mentor, timezone.now()
    case.save(update_fields=["claimed_by", "claimed_at"])
    queue_changed()
    return case


@transaction.atomic
def case_release(*, mentor: User, case: Case) -> Case:
    require_moderator(mentor)
    case = _open_case(case)
    require(case.claimed_by_id == mentor.pk, "You have not taken this one.")
    case.claimed_by, case.claimed_at = None, None
    case.save(update_fields=["claimed_by", "claimed_at"])
    queue_changed()
    return case


@transaction.atomic
def case_resolve(*, mentor: User, case: Case, agree: bool, note: str = "") -> Case:
    """Agree: the post stays (or becomes) hidden. Disagree: the flags are dismissed and a
    post they hid comes back."""
    require_moderator(mentor)
    case = _open_case(case)
    require(
        case.claimed_by_id in (None, mentor.pk),
        f"{case.claimed_by.name if case.claimed_by else 'Another mentor'} has taken this one.",
    )
    note = reason_clean(note, required=False, field="note")
    target = target_get(case.kind, case.object_id)
    now = timezone.now()
    case.state = Case.State.AGREED if agree else Case.State.DISMISSED
    case.resolved_by, case.resolved_at, case.resolution_note = mentor, now, note
    case.save(update_fields=["state", "resolved_by", "resolved_at", "resolution_note"])
    if target is None or target.is_gone:
        queue_changed()
        return case
    before = {"hidden": target.is_hidden, "hidden_reason": target.hidden_reason}
    if agree:
        reason = note or f"Flagged as {_reasons_summary(case)}; a mentor agreed."
        if not target.is_hidden:
            hide(target, actor=mentor, reason=reason)
        elif case.hidden_by_flags:
            target.hidden_reason_set(reason)
        log_action(
            actor=mentor,
            action=Action.FLAGS_AGREED,
            target=target,
            reason=reason,
            before=before,
            after={"hidden": True},
            tell=f"A mentor reviewed the flags on your {target.noun} “{target.label}” and it "
            f"stays hidden: {reason}",
        )
    else:
        restored = case.hidden_by_flags and target.is_hidden
        if restored:
            unhide(target, actor=mentor)
        log_action(
            actor=mentor,
            action=Action.FLAGS_DISMISSED,
            target=target,
            reason=note,
            before=before,
            after={"hidden": target.is_hidden},
            tell=(
                f"A mentor reviewed the flags on your {target.noun} “{target.label}”: it is "
                "visible again."
                if restored
                else ""
            ),
        )
    queue_changed()
    return case
