"""Every moderation write: flags and their cases, mentors' actions on posts and accounts,
claims, mentor notes, saved replies and "ask a mentor".

Each action checks moderation/permissions.py, changes the target, writes exactly one
log entry (moderation/log.py) that tells the person touched why, and, on commit, tells
the open tabs (the thread or project page, and the mentors' queue). Refusals raise
`PermissionDenied(message)`; bad input raises `ValidationError` with field messages.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from discussions import events as discussion_events
from discussions import services as forum_services
from discussions.models import Category, Question
from hub import live
from hub.markdown import render_markdown
from moderation import events, permissions
from moderation.log import record
from moderation.models import (
    FLAGGABLE,
    NOTE_MAX,
    REASON_MAX,
    SAVED_REPLY_MAX,
    Action,
    Case,
    Flag,
    FlagReason,
    LogEntry,
    MentorNote,
    QuestionClaim,
    SavedReply,
    TargetKind,
)
from moderation.targets import Target, target_get, target_of, visible_to
from projects import events as project_events
from projects import services as project_services
from projects.models import State

QUESTION_LINK_RE = re.compile(r"(?:^|/q/)(\d+)(?:[/?#]|$)")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_moderator(user: Any) -> None:
    if not permissions.can_write(user):
        raise PermissionDenied(permissions.write_refusal(user))
    _require(permissions.can_moderate(user), "Only mentors can do that.")


def _reason(raw: str, *, required: bool = True, field: str = "reason") -> str:
    reason = " ".join((raw or "").split())
    if required and not reason:
        raise ValidationError({field: "Give a reason: the person affected is told it."})
    if len(reason) > REASON_MAX:
        raise ValidationError({field: f"At most {REASON_MAX} characters."})
    return reason


def _after_commit(event, *args) -> None:
    transaction.on_commit(lambda: event(*args), robust=True)


def _page_changed(target: Target) -> None:
    """Each open tab of the target's page fetches its own view again (who sees what
    changed: a per-viewer question, so a stale hint rather than one fragment)."""
    if target.question is not None:
        _after_commit(discussion_events.thread_stale, target.question.pk)
    elif target.project is not None:
        _after_commit(project_events.project_changed, target.project.pk)


def _queue_changed() -> None:
    _after_commit(events.queue_changed)


def question_id_parse(raw: str) -> int | None:
    """`123`, `/q/123/slug/` or a full link to a question -> 123."""
    match = QUESTION_LINK_RE.search((raw or "").strip())
    return int(match.group(1)) if match else None


# --- Hiding, shared by flags and mentors -------------------------------------------------


def _hide(target: Target, *, actor: Any, reason: str) -> None:
    if target.kind == TargetKind.PROJECT:
        project_services.project_hidden_set(
            project=target.obj, hidden=True, by=actor, reason=reason
        )
    else:
        target.set_hidden(reason)
    _recount(target)
    _page_changed(target)


def _recount(target: Target) -> None:
    """A hidden answer does not count for its question (answers, "needs a mentor")."""
    if target.kind == TargetKind.ANSWER:
        forum_services.question_answers_recount(target.obj.question_id)
        _queue_changed()


def _unhide(target: Target, *, actor: Any) -> None:
    if target.kind == TargetKind.PROJECT:
        project_services.project_hidden_set(project=target.obj, hidden=False, by=actor)
    else:
        target.clear_hidden()
    _recount(target)
    _page_changed(target)


def _log(
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
    _require(target.kind in FLAGGABLE and visible_to(reporter, target), "Nothing to flag here.")
    _require(permissions.can_flag(reporter, target.author_id), "You cannot flag your own post.")
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
        _hide(target, actor=None, reason=hide_reason)
        Case.objects.filter(pk=case.pk).update(hidden_by_flags=True)
        _log(
            actor=None,
            action=Action.AUTO_HIDE,
            target=target,
            reason=hide_reason,
            tell=f"Your {target.noun} “{target.label}” is hidden: {hide_reason}",
        )
    _queue_changed()
    return flag


def _reasons_summary(case: Case) -> str:
    labels = dict(FlagReason.choices)
    reasons = sorted(set(case.flags.values_list("reason", flat=True)))
    return ", ".join(labels[r].lower() for r in reasons)


def _open_case(case: Case) -> Case:
    locked = Case.objects.select_for_update().filter(pk=case.pk).first()
    _require(
        locked is not None and locked.state == Case.State.OPEN, "These flags are already resolved."
    )
    return locked


@transaction.atomic
def case_claim(*, mentor: User, case: Case) -> Case:
    """Take a flagged post so two mentors do not work the same one."""
    _require_moderator(mentor)
    case = _open_case(case)
    _require(
        case.claimed_by_id in (None, mentor.pk),
        f"{case.claimed_by.name if case.claimed_by else 'Another mentor'} has taken this one.",
    )
    case.claimed_by, case.claimed_at = mentor, timezone.now()
    case.save(update_fields=["claimed_by", "claimed_at"])
    _queue_changed()
    return case


@transaction.atomic
def case_release(*, mentor: User, case: Case) -> Case:
    _require_moderator(mentor)
    case = _open_case(case)
    _require(case.claimed_by_id == mentor.pk, "You have not taken this one.")
    case.claimed_by, case.claimed_at = None, None
    case.save(update_fields=["claimed_by", "claimed_at"])
    _queue_changed()
    return case


@transaction.atomic
def case_resolve(*, mentor: User, case: Case, agree: bool, note: str = "") -> Case:
    """Agree: the post stays (or becomes) hidden. Disagree: the flags are dismissed and a
    post they hid comes back."""
    _require_moderator(mentor)
    case = _open_case(case)
    _require(
        case.claimed_by_id in (None, mentor.pk),
        f"{case.claimed_by.name if case.claimed_by else 'Another mentor'} has taken this one.",
    )
    note = _reason(note, required=False, field="note")
    target = target_get(case.kind, case.object_id)
    now = timezone.now()
    case.state = Case.State.AGREED if agree else Case.State.DISMISSED
    case.resolved_by, case.resolved_at, case.resolution_note = mentor, now, note
    case.save(update_fields=["state", "resolved_by", "resolved_at", "resolution_note"])
    if target is None or target.is_gone:
        _queue_changed()
        return case
    before = {"hidden": target.is_hidden, "hidden_reason": target.hidden_reason}
    if agree:
        reason = note or f"Flagged as {_reasons_summary(case)}; a mentor agreed."
        if not target.is_hidden:
            _hide(target, actor=mentor, reason=reason)
        elif case.hidden_by_flags:
            _hide_reason_update(target, reason)
        _log(
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
            _unhide(target, actor=mentor)
        _log(
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
    _queue_changed()
    return case


def _hide_reason_update(target: Target, reason: str) -> None:
    type(target.obj).objects.filter(pk=target.pk).update(hidden_reason=reason)
    target.obj.hidden_reason = reason


# --- Mentors' actions on posts -------------------------------------------------------------


@transaction.atomic
def content_hide(*, actor: User, target: Target | Any, reason: str) -> Target:
    target = target if isinstance(target, Target) else target_of(target)
    _require_moderator(actor)
    _require(visible_to(actor, target), "Nothing to hide here.")
    _require(not target.is_hidden, f"This {target.noun} is already hidden.")
    if target.kind == TargetKind.PROJECT:
        _require(target.obj.state == State.PUBLISHED, "Only a published project can be hidden.")
    reason = _reason(reason)
    _hide(target, actor=actor, reason=reason)
    _log(
        actor=actor,
        action=Action.HIDE,
        target=target,
        reason=reason,
        before={"hidden": False},
        after={"hidden": True},
        tell=f"A mentor hid your {target.noun} “{target.label}”: {reason}",
    )
    _queue_changed()
    return target


@transaction.atomic
def content_unhide(*, actor: User, target: Target | Any, reason: str = "") -> Target:
    target = target if isinstance(target, Target) else target_of(target)
    _require_moderator(actor)
    _require(visible_to(actor, target), "Nothing to unhide here.")
    _require(target.is_hidden, f"This {target.noun} is not hidden.")
    reason = _reason(reason, required=False)
    before = {"hidden": True, "hidden_reason": target.hidden_reason}
    _unhide(target, actor=actor)
    _log(
        actor=actor,
        action=Action.UNHIDE,
        target=target,
        reason=reason,
        before=before,
        after={"hidden": False},
        tell=f"A mentor made your {target.noun} “{target.label}” visible again."
        + (f" {reason}" if reason else ""),
    )
    _queue_changed()
    return target


def _question_action(
    *,
    actor: User,
    question: Question,
    action: str,
    changes: dict[str, Any],
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str = "",
    tell: str = "",
) -> Question:
    Question.objects.filter(pk=question.pk).update(**changes)
    for name, value in changes.items():
        setattr(question, name, value)
    target = Target(TargetKind.QUESTION, question)
    _log(
        actor=actor,
        action=action,
        target=target,
        reason=reason,
        before=before,
        after=after,
        tell=tell,
    )
    _page_changed(target)
    _after_commit(discussion_events.question_changed, question.pk)
    return question


def _live_question(actor: User, question: Question) -> None:
    _require_moderator(actor)
    _require(not question.is_deleted, "That question was deleted.")


@transaction.atomic
def question_pin(*, actor: User, question: Question, pinned: bool) -> Question:
    """Pinned questions lead their category's list."""
    _live_question(actor, question)
    _require(question.is_pinned != pinned, "Already pinned." if pinned else "It is not pinned.")
    return _question_action(
        actor=actor,
        question=question,
        action=Action.PIN if pinned else Action.UNPIN,
        changes={"pinned_at": timezone.now() if pinned else None},
        before={"pinned": not pinned},
        after={"pinned": pinned},
    )


@transaction.atomic
def question_lock(*, actor: User, question: Question, reason: str) -> Question:
    """No new answers or comments; the thread shows a notice with the reason."""
    _live_question(actor, question)
    _require(not question.is_locked, "This question is already locked.")
    reason = _reason(reason)
    return _question_action(
        actor=actor,
        question=question,
        action=Action.LOCK,
        changes={"locked_at": timezone.now(), "lock_reason": reason},
        before={"locked": False},
        after={"locked": True},
        reason=reason,
        tell=f"A mentor locked your question “{question.title}”: {reason}",
    )


@transaction.atomic
def question_unlock(*, actor: User, question: Question) -> Question:
    _live_question(actor, question)
    _require(question.is_locked, "This question is not locked.")
    return _question_action(
        actor=actor,
        question=question,
        action=Action.UNLOCK,
        changes={"locked_at": None, "lock_reason": ""},
        before={"locked": True, "lock_reason": question.lock_reason},
        after={"locked": False},
        tell=f"A mentor unlocked your question “{question.title}”.",
    )


@transaction.atomic
def question_move(
    *, actor: User, question: Question, category: Category, reason: str = ""
) -> Question:
    _live_question(actor, question)
    _require(category.pk != question.category_id, f"It is already in {category.name}.")
    reason = _reason(reason, required=False)
    old = question.category
    return _question_action(
        actor=actor,
        question=question,
        action=Action.MOVE,
        changes={"category": category},
        before={"category": old.slug},
        after={"category": category.slug},
        reason=reason,
        tell=f"A mentor moved your question “{question.title}” from {old.name} to "
        f"{category.name}." + (f" {reason}" if reason else ""),
    )


@transaction.atomic
def question_mark_duplicate(
    *, actor: User, question: Question, original: Question | str | int, reason: str = ""
) -> Question:
    """The duplicate links to the original and takes no more answers."""
    _live_question(actor, question)
    if not isinstance(original, Question):
        original_id = question_id_parse(str(original))
        original = (
            Question.objects.filter(pk=original_id, is_deleted=False).first()
            if original_id
            else None
        )
        if original is None:
            raise ValidationError({"original": "Give the link or number of the original question."})
    if original.pk == question.pk:
        raise ValidationError({"original": "A question cannot duplicate itself."})
    if original.duplicate_of_id == question.pk:
        raise ValidationError({"original": "That question is marked a duplicate of this one."})
    if original.is_deleted or original.is_hidden:
        raise ValidationError({"original": "The original must be a visible question."})
    _require(question.duplicate_of_id != original.pk, "It is already marked so.")
    reason = _reason(reason, required=False)
    return _question_action(
        actor=actor,
        question=question,
        action=Action.DUPLICATE,
        changes={"duplicate_of": original},
        before={"duplicate_of": question.duplicate_of_id},
        after={"duplicate_of": original.pk},
        reason=reason,
        tell=f"A mentor marked your question “{question.title}” as a duplicate of "
        f"“{original.title}”." + (f" {reason}" if reason else ""),
    )


@transaction.atomic
def question_unmark_duplicate(*, actor: User, question: Question) -> Question:
    _live_question(actor, question)
    _require(question.is_duplicate, "It is not marked as a duplicate.")
    return _question_action(
        actor=actor,
        question=question,
        action=Action.UNDUPLICATE,
        changes={"duplicate_of": None},
        before={"duplicate_of": question.duplicate_of_id},
        after={"duplicate_of": None},
        tell=f"A mentor removed the duplicate mark from your question “{question.title}”.",
    )


# --- Accounts ----------------------------------------------------------------------------


@transaction.atomic
def user_suspend(*, actor: User, user: User, until: datetime, reason: str) -> User:
    """Suspended people read, and see why and until when, but cannot post, vote, flag or
    star. The suspension ends by itself at `until`."""
    _require_moderator(actor)
    _require(
        permissions.can_suspend(actor, user),
        "You cannot suspend yourself."
        if actor.pk == user.pk
        else "Only admins can suspend mentors and admins.",
    )
    if until <= timezone.now():
        raise ValidationError({"until": "Choose a moment in the future."})
    reason = _reason(reason)
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
    _require_moderator(actor)
    _require(
        permissions.can_lift_suspension(actor, user),
        "You cannot lift your own suspension."
        if actor.pk == user.pk
        else "Only admins can lift a mentor's or an admin's suspension.",
    )
    _require(user.is_suspended, f"@{user.handle} is not suspended.")
    reason = _reason(reason, required=False)
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
    user.suspended_until, user.suspension_reason = until, reason if until else ""
    user.save(update_fields=["suspended_until", "suspension_reason"])
    # Their open sockets re-check at once (a suspended account's sockets close).
    live.access_changed_on_commit(user.pk)
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


# --- The needs-a-mentor queue ----------------------------------------------------------------


@transaction.atomic
def mentor_request(*, user: User, question: Question) -> Question:
    """ "Ask a mentor": the asker's question leads the mentors' needs-a-mentor tab."""
    if not permissions.can_write(user):
        raise PermissionDenied(permissions.write_refusal(user))
    _require(question.author_id == user.pk, "Only the asker can call for a mentor.")
    _require(not question.has_mentor_answer, "A mentor has already answered.")
    _require(question.mentor_requested_at is None, "You have already asked for a mentor.")
    _require(
        permissions.can_ask_mentor(user, question),
        "You can ask for a mentor once the question has waited an hour.",
    )
    now = timezone.now()
    Question.objects.filter(pk=question.pk).update(mentor_requested_at=now)
    question.mentor_requested_at = now
    _queue_changed()
    return question


@transaction.atomic
def question_claim(*, mentor: User, question: Question) -> QuestionClaim:
    _require_moderator(mentor)
    _require(not question.is_deleted, "That question was deleted.")
    claim = QuestionClaim.objects.select_for_update().filter(question=question).first()
    if claim is not None:
        _require(claim.mentor_id == mentor.pk, f"{claim.mentor.name} has taken this one.")
        return claim
    try:
        with transaction.atomic():
            claim = QuestionClaim.objects.create(question=question, mentor=mentor)
    except IntegrityError:
        raise PermissionDenied("Another mentor has just taken this one.") from None
    _queue_changed()
    return claim


@transaction.atomic
def question_release(*, mentor: User, question: Question) -> None:
    _require_moderator(mentor)
    deleted, _ = QuestionClaim.objects.filter(question=question, mentor=mentor).delete()
    _require(bool(deleted), "You have not taken this one.")
    _queue_changed()


# --- Mentor notes and saved replies ----------------------------------------------------------


@transaction.atomic
def mentor_note_add(*, author: User, question: Question, body: str) -> MentorNote:
    _require_moderator(author)
    _require(not question.is_deleted, "That question was deleted.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write the note."})
    if len(body) > NOTE_MAX:
        raise ValidationError({"body": f"At most {NOTE_MAX} characters."})
    note = MentorNote.objects.create(
        question=question, author=author, body=body, body_html=render_markdown(body).html
    )
    _after_commit(events.mentor_note_added, note.pk)
    return note


def _saved_reply_check(owner: User, title: str, body: str, *, exclude: int | None = None):
    title, body = " ".join((title or "").split()), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give it a short name."
    elif len(title) > 80:
        errors["title"] = "At most 80 characters."
    elif SavedReply.objects.filter(owner=owner, title__iexact=title).exclude(pk=exclude).exists():
        errors["title"] = "You already have a saved reply with that name."
    if not body:
        errors["body"] = "Write the reply."
    elif len(body) > SAVED_REPLY_MAX:
        errors["body"] = f"At most {SAVED_REPLY_MAX} characters."
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def saved_reply_create(*, owner: User, title: str, body: str) -> SavedReply:
    _require_moderator(owner)
    title, body = _saved_reply_check(owner, title, body)
    return SavedReply.objects.create(owner=owner, title=title, body=body)


@transaction.atomic
def saved_reply_update(*, owner: User, reply: SavedReply, title: str, body: str) -> SavedReply:
    _require_moderator(owner)
    _require(reply.owner_id == owner.pk, "That is not one of your saved replies.")
    reply.title, reply.body = _saved_reply_check(owner, title, body, exclude=reply.pk)
    reply.save(update_fields=["title", "body"])
    return reply


@transaction.atomic
def saved_reply_delete(*, owner: User, reply: SavedReply) -> None:
    _require_moderator(owner)
    _require(reply.owner_id == owner.pk, "That is not one of your saved replies.")
    reply.delete()
