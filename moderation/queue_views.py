"""HTML doors to the mentors' queue and the moderation log.

The queue is one page with four tabs (`?tab=flags|waiting|projects|guide`): flagged posts,
questions waiting for a mentor, projects awaiting review, and what the guide asks of
mentors (proposed edits, "not helpful" notes, sections due for review); under them, the
last 30 days' median times to a first mentor response. It updates itself: every queue change sends
a "stale" hint on the `moderation` topic, and each open queue fetches its own view
through `/live/catch-up` (`queue_context(request, oob=True)` rendered as the
`live-sections` partial).

Claims and resolutions work as plain form posts (a message, and back to the tab) and
over HTMX (the row that changed). Refusals from the services come back as a message or
a toast (`hub.errors.refusals_shown`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from discussions.models import Question
from discussions.selectors import questions_visible_to
from hub import doors
from hub.doors import refusals_shown
from moderation import permissions, selectors, services
from moderation.models import REASON_MAX, Action, Case, TargetKind

QUEUE = "moderation/queue.html"
LOG = "moderation/log.html"
TABS = selectors.QUEUE_TABS
FIGURE_DAYS = 30


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("agree", "Agree"), ("dismiss", "Dismiss")],
        error_messages={
            "required": "Choose Agree or Dismiss.",
            "invalid_choice": "Choose Agree or Dismiss.",
        },
    )
    note = forms.CharField(required=False, max_length=REASON_MAX, label="Note")


class LogFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", "Any action"), *Action.choices], required=False, label="Action"
    )
    actor = forms.CharField(required=False, max_length=40, label="Done by", help_text="A handle.")
    kind = forms.ChoiceField(
        choices=[("", "Anything"), *TargetKind.choices], required=False, label="Target"
    )
    person = forms.CharField(
        required=False, max_length=40, label="Person touched", help_text="A handle."
    )


def _require_queue_viewer(request: HttpRequest) -> None:
    if not permissions.can_view_queue(request.user):
        raise PermissionDenied("The moderation queue is for mentors.")


def _tab_of(request: HttpRequest) -> str:
    return selectors.queue_tab(request.GET.get("tab"), request.headers.get("HX-Current-URL", ""))


def _tab_url(tab: str) -> str:
    return f"{reverse('moderation:queue')}?tab={tab}"


def _row_context(request: HttpRequest) -> dict[str, Any]:
    return selectors.queue_rows_context(viewer=request.user)


def queue_context(request: HttpRequest, oob: bool = False) -> dict[str, Any]:
    """The queue page for this request's tab (moderation.selectors.queue_page)."""
    return selectors.queue_page(viewer=request.user, tab=_tab_of(request), oob=oob)


@login_required
@require_GET
def queue_view(request: HttpRequest) -> HttpResponse:
    _require_queue_viewer(request)
    context = queue_context(request)
    context["figures"] = selectors.response_times_recent(days=FIGURE_DAYS)
    return render(request, QUEUE, context)


# --- Claims and resolutions ------------------------------------------------------------------


def _bad_input(request: HttpRequest, message: str, back: str) -> HttpResponse:
    """Input the form could not take: a toast over HTMX, a message without it."""
    if request.htmx:
        response = HttpResponse(message, status=400, content_type="text/plain")
        return trigger_client_event(response, "nexus:toast", {"level": "error", "message": message})
    messages.error(request, message)
    return redirect(back)


def _case_or_404(pk: int) -> Case:
    case = Case.objects.select_related("claimed_by").filter(pk=pk).first()
    if case is None:
        raise Http404("No such flags.")
    return case


def _case_row(request: HttpRequest, pk: int, done: str) -> HttpResponse:
    """The HTMX answer to a claim or release: the case's row as it is now."""
    case = selectors.open_case_get(viewer=request.user, pk=pk)
    if case is None:  # resolved meanwhile
        return render(request, f"{QUEUE}#case-done", {"case_id": pk, "done": done})
    return render(request, f"{QUEUE}#case", {"case": case, **_row_context(request)})


@require_POST
@login_required
@refusals_shown
def case_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = services.case_claim(mentor=request.user, case=_case_or_404(pk))
    if request.htmx:
        return _case_row(request, case.pk, "")
    messages.success(request, "You have taken it: other mentors see it is yours.")
    return redirect(_tab_url("flags"))


@require_POST
@login_required
@refusals_shown
def case_release_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = services.case_release(mentor=request.user, case=_case_or_404(pk))
    if request.htmx:
        return _case_row(request, case.pk, "")
    messages.success(request, "Handed back: any mentor can take it now.")
    return redirect(_tab_url("flags"))


@require_POST
@login_required
@refusals_shown
def case_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`decision=agree` keeps the post hidden (or hides it); `decision=dismiss` dismisses
    the flags and brings back a post they hid. An optional `note` goes to the log."""
    case = _case_or_404(pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _bad_input(request, doors.form_message(form), _tab_url("flags"))
    agree = form.cleaned_data["decision"] == "agree"
    with doors.refusals() as outcome:  # shown here: a toast over HTMX, else a message
        case = services.case_resolve(
            mentor=request.user, case=case, agree=agree, note=form.cleaned_data["note"]
        )
    if not outcome.ok:
        return _bad_input(request, outcome.message, _tab_url("flags"))
    if agree:
        done = "Flags agreed: the post stays hidden."
    elif case.hidden_by_flags:
        done = "Flags dismissed: the post is visible again."
    else:
        done = "Flags dismissed."
    if request.htmx:
        context = {"case_id": case.pk, "done": done, **_counts_context(request)}
        return render(request, f"{QUEUE}#case-done", context)
    messages.success(request, done)
    return redirect(_tab_url("flags"))


def _counts_context(request: HttpRequest) -> dict[str, Any]:
    """The tab counts alone, sent out of band beside a row that left the queue."""
    return selectors.queue_counts(viewer=request.user, tab=_tab_of(request))


def _waiting_question_or_404(request: HttpRequest, pk: int) -> Question:
    question = questions_visible_to(request.user).filter(pk=pk).first()
    if question is None:
        raise Http404("No such question.")
    return question


def _waiting_row(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.waiting_question_get(viewer=request.user, pk=pk)
    if question is None:  # a mentor answered it meanwhile
        return render(
            request,
            f"{QUEUE}#waiting-done",
            {"question_id": pk, "done": "A mentor has answered it."},
        )
    return render(request, f"{QUEUE}#waiting-item", {"q": question, **_row_context(request)})


@require_POST
@login_required
@refusals_shown
def question_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _waiting_question_or_404(request, pk)
    services.question_claim(mentor=request.user, question=question)
    if request.htmx:
        return _waiting_row(request, question.pk)
    messages.success(request, f"You have taken “{question.title}”.")
    return redirect(_tab_url("waiting"))


@require_POST
@login_required
@refusals_shown
def question_release_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _waiting_question_or_404(request, pk)
    services.question_release(mentor=request.user, question=question)
    if request.htmx:
        return _waiting_row(request, question.pk)
    messages.success(request, f"Handed back “{question.title}”.")
    return redirect(_tab_url("waiting"))


# --- The log ---------------------------------------------------------------------------------


@login_required
@require_GET
def log_view(request: HttpRequest) -> HttpResponse:
    """Every moderation action, newest first, filtered by action, who did it, the kind of
    target and the person touched (a GET form: works without JavaScript)."""
    _require_queue_viewer(request)
    form = LogFilterForm(request.GET or None)
    filters: dict[str, str] = {}
    page = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        data = form.cleaned_data if form.is_bound else {}
        filters = {key: value for key, value in data.items() if value}
        page = selectors.log_entries(
            viewer=request.user,
            action=filters.get("action"),
            actor_handle=filters.get("actor"),
            target_kind=filters.get("kind"),
            person_handle=filters.get("person"),
            cursor=request.GET.get("after") or None,
        )
    context = {
        "form": form,
        "page": page,
        "filter_query": urlencode(filters),
        "paged": bool(request.GET.get("after")),
    }
    return render(request, LOG, context, status=status)
