"""HTML doors to moderation where the content is: flags on every post, mentors' actions
in a thread, on a project and on a profile, mentor notes and saved replies.

Every action is a plain form post that redirects back (no JavaScript needed); flags and
notes also answer HTMX with the fragment that changed. The mentors' queue and the log
are in moderation/queue_views.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.selectors import user_get_by_handle
from discussions.models import Question
from discussions.selectors import question_get
from hub import doors
from hub.doors import refusals_shown
from moderation import permissions, selectors, services
from moderation.forms import (
    DuplicateForm,
    FlagForm,
    MentorNoteForm,
    MoveForm,
    ReasonForm,
    SavedReplyForm,
    SuspendForm,
)
from moderation.targets import Target, target_get, visible_to

FLAG = "moderation/flag.html"
NOTES = "moderation/includes/mentor_notes.html"
REPLIES = "moderation/saved_replies.html"


def _target_or_404(request: HttpRequest, kind: str, pk: int) -> Target:
    target = target_get(kind, pk)
    if target is None or not visible_to(request.user, target):
        raise Http404("Nothing here.")
    return target


def _question_or_404(request: HttpRequest, pk: int) -> Question:
    question = question_get(viewer=request.user, pk=pk)
    if question is None:
        raise Http404("No such question.")
    return question


# --- Flags ---------------------------------------------------------------------------------


@login_required
@refusals_shown
def flag_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The flag form (a fragment over HTMX, a page without it) and its submission."""
    target = _target_or_404(request, kind, pk)
    already = bool(selectors.flagged_by(viewer=request.user, kind=kind, object_ids=[pk]))
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form) as outcome:
            services.flag_create(reporter=request.user, target=target, **form.cleaned_data)
        if outcome.ok:
            if request.htmx:
                return render(request, f"{FLAG}#flagged", {"target": target})
            messages.success(request, "Thanks: mentors will look at it.")
            return redirect(target.url if visible_to(request.user, target) else "home")
    context = {"target": target, "form": form, "already": already}
    status = 400 if form.errors else 200
    return render(request, f"{FLAG}#flag-form" if request.htmx else FLAG, context, status=status)


# --- Hiding any post -------------------------------------------------------------------------


@require_POST
@login_required
@refusals_shown
def hide_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    target = _target_or_404(request, kind, pk)
    with doors.refusals(request) as outcome:
        reason = doors.form_data(ReasonForm(request.POST))["reason"]
        services.content_hide(actor=request.user, target=target, reason=reason)
    if outcome.ok:
        messages.success(request, f"The {target.noun} is hidden; its author is told why.")
    return redirect(target.url)


@require_POST
@login_required
@refusals_shown
def unhide_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    target = _target_or_404(request, kind, pk)
    with doors.refusals(request) as outcome:
        reason = doors.form_data(ReasonForm(request.POST))["reason"]
        services.content_unhide(actor=request.user, target=target, reason=reason)
    if outcome.ok:
        messages.success(request, f"The {target.noun} is visible again.")
    return redirect(target.url)


# --- A question's mentor actions ---------------------------------------------------------------


def _pin(request: HttpRequest, question: Question, pinned: bool) -> str:
    services.question_pin(actor=request.user, question=question, pinned=pinned)
    return "Pinned: it leads its topic's list." if pinned else "Unpinned."


def _lock(request: HttpRequest, question: Question) -> str:
    reason = doors.form_data(ReasonForm(request.POST))["reason"]
    services.question_lock(actor=request.user, question=question, reason=reason)
    return "Locked: no new answers or comments."


def _unlock(request: HttpRequest, question: Question) -> str:
    services.question_unlock(actor=request.user, question=question)
    return "Unlocked."


def _move(request: HttpRequest, question: Question) -> str:
    data = doors.form_data(MoveForm(request.POST))
    services.question_move(actor=request.user, question=question, **data)
    return f"Moved to {data['category'].name}."


def _duplicate(request: HttpRequest, question: Question) -> str:
    data = doors.form_data(DuplicateForm(request.POST))
    services.question_mark_duplicate(actor=request.user, question=question, **data)
    return "Marked as a duplicate: it takes no more answers."


def _unduplicate(request: HttpRequest, question: Question) -> str:
    services.question_unmark_duplicate(actor=request.user, question=question)
    return "The duplicate mark is removed."


QUESTION_ACTIONS: dict[str, Any] = {
    "pin": lambda request, question: _pin(request, question, True),
    "unpin": lambda request, question: _pin(request, question, False),
    "lock": _lock,
    "unlock": _unlock,
    "move": _move,
    "duplicate": _duplicate,
    "unduplicate": _unduplicate,
}


@require_POST
@login_required
@refusals_shown
def question_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Pin, unpin, lock, unlock, move, mark or unmark as a duplicate."""
    perform = QUESTION_ACTIONS.get(action)
    if perform is None:
        raise Http404("Unknown action.")
    question = _question_or_404(request, pk)
    with doors.refusals(request) as outcome:
        done = perform(request, question)
    if outcome.ok:
        messages.success(request, done)
    return redirect(question)


@require_POST
@login_required
@refusals_shown
def ask_mentor_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    services.mentor_request(user=request.user, question=question)
    messages.success(request, "Mentors are asked: your question now leads their queue.")
    return redirect(question)


# --- Mentor notes ------------------------------------------------------------------------------


@require_POST
@login_required
@refusals_shown
def mentor_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    # The service decides who may write a note and what a note must be; the form only
    # carries the text back with the service's message.
    form = MentorNoteForm(request.POST)
    form.is_valid()  # shape only (no rules): it carries the text back
    with doors.refusals(form):
        services.mentor_note_add(
            author=request.user, question=question, body=request.POST.get("body", "")
        )
    if request.htmx:
        context = {
            "question": question,
            "notes": selectors.mentor_notes(viewer=request.user, question_id=question.pk),
            "note_form": form if form.errors else MentorNoteForm(),
        }
        return render(request, f"{NOTES}#mentor-notes", context, status=400 if form.errors else 200)
    if form.errors:
        messages.error(request, doors.form_message(form))
    return redirect(f"{question.get_absolute_url()}#mentor-notes")


# --- Saved replies -----------------------------------------------------------------------------


def _require_mentor_page(request: HttpRequest) -> None:
    if not permissions.can_view_queue(request.user):
        raise PermissionDenied("Saved replies are for mentors.")


@login_required
def saved_replies_view(request: HttpRequest) -> HttpResponse:
    """A mentor's own list of snippets, and the form to add one."""
    _require_mentor_page(request)
    form = SavedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form, denied=True) as outcome:
            services.saved_reply_create(owner=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "Saved. It is offered under every answer and comment box.")
            return redirect("moderation:saved_replies")
    context = {"replies": selectors.saved_replies(owner=request.user), "form": form}
    return render(request, REPLIES, context, status=400 if form.errors else 200)


def _reply_or_404(request: HttpRequest, pk: int) -> Any:
    reply = selectors.saved_reply_get(owner=request.user, pk=pk)
    if reply is None:
        raise Http404("No such saved reply.")
    return reply


@login_required
def saved_reply_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_mentor_page(request)
    reply = _reply_or_404(request, pk)
    form = SavedReplyForm(request.POST or None, initial={"title": reply.title, "body": reply.body})
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form, denied=True) as outcome:
            services.saved_reply_update(owner=request.user, reply=reply, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "Saved.")
            return redirect("moderation:saved_replies")
    context = {"reply": reply, "form": form, "editing": True}
    return render(request, REPLIES, context, status=400 if form.errors else 200)


@require_POST
@login_required
@refusals_shown
def saved_reply_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_mentor_page(request)
    reply = _reply_or_404(request, pk)
    services.saved_reply_delete(owner=request.user, reply=reply)
    messages.success(request, f"“{reply.title}” is deleted.")
    return redirect("moderation:saved_replies")


# --- Suspensions -------------------------------------------------------------------------------


@require_POST
@login_required
@refusals_shown
def suspend_view(request: HttpRequest, handle: str) -> HttpResponse:
    person = user_get_by_handle(handle=handle)  # 404 for an unknown handle
    form = SuspendForm(request.POST)
    if not form.is_valid():
        problems = [f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()]
        messages.error(request, " ".join(problems))
        return redirect(person)
    with doors.refusals(request) as outcome:
        services.user_suspend(actor=request.user, user=person, **form.cleaned_data)
    if outcome.ok:
        messages.success(request, f"@{person.handle} is suspended; they are told why.")
    return redirect(person)


@require_POST
@login_required
@refusals_shown
def suspension_lift_view(request: HttpRequest, handle: str) -> HttpResponse:
    person = user_get_by_handle(handle=handle)  # 404 for an unknown handle
    with doors.refusals(request) as outcome:
        reason = doors.form_data(ReasonForm(request.POST))["reason"]
        services.suspension_lift(actor=request.user, user=person, reason=reason)
    if outcome.ok:
        messages.success(request, f"@{person.handle} can post again.")
    return redirect(reverse("accounts:profile", kwargs={"handle": person.handle}))
