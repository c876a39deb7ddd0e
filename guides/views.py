"""HTML doors to the guide: parse the request, call a service or selector, render.
Every form works as a plain post (redirect back) and through HTMX."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from discussions import selectors as forum
from guides import events, permissions, selectors, services
from guides.forms import (
    CloseForm,
    DeclineForm,
    HelpfulForm,
    NoteForm,
    PromoteForm,
    ProposalForm,
    SectionForm,
)
from guides.models import EditProposal, Guide, HelpfulVote, Section
from hub import doors
from hub.doors import refusals_shown

ARTICLE = "guides/guide_detail.html"


def _guide_or_404(slug: str) -> Guide:
    guide = selectors.guide_get(slug=slug)
    if guide is None:
        raise Http404("No such guide.")
    return guide


def _section_or_404(pk: int) -> Section:
    section = selectors.section_get(pk=pk)
    if section is None:
        raise Http404("No such section.")
    return section


def _form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    form = context["form"]
    return render(request, template, context, status=400 if form.errors else 200)


@require_GET
def guide_index_view(request: HttpRequest) -> HttpResponse:
    return render(request, "guides/guide_index.html", selectors.guide_index())


@require_GET
def guide_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    guide = _guide_or_404(slug)
    article = selectors.guide_article(guide=guide, viewer=request.user)
    return render(
        request,
        ARTICLE,
        {
            "article": article,
            "guide": guide,
            "topic": events.guide_topic(guide.pk),
            "can_edit": permissions.can_edit(request.user),
            "can_vote": permissions.can_vote_helpful(request.user),
        },
    )


@login_required
@refusals_shown
def section_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    guide = _guide_or_404(slug)
    if not permissions.can_edit(request.user):
        raise PermissionDenied("Only mentors write guide sections.")
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form) as outcome:
            section = services.section_create(editor=request.user, guide=guide, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "The section is published.")
            return redirect(section.get_absolute_url())
    return _form_page(
        request, "guides/section_form.html", {"form": form, "guide": guide, "creating": True}
    )


@login_required
@refusals_shown
def section_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mentors edit and publish; everyone else who may post proposes the same edit."""
    section = _section_or_404(pk)
    direct = permissions.can_edit(request.user)
    if not direct and not permissions.can_propose(request.user):
        raise PermissionDenied(permissions.write_refusal(request.user))
    initial = {
        "title": section.title,
        "body": section.body,
        "versions": ", ".join(section.versions),
    }
    form_class = SectionForm if direct else ProposalForm
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with doors.refusals(form) as outcome:
            if direct:
                services.section_edit(editor=request.user, section=section, **data)
            else:
                proposal = services.proposal_create(proposer=request.user, section=section, **data)
        if outcome.ok:
            if direct:
                messages.success(request, "Your edit is published.")
                return redirect(section.get_absolute_url())
            messages.success(request, "Thank you: a mentor will look at your proposed edit.")
            return redirect(proposal.get_absolute_url())
    return _form_page(
        request,
        "guides/section_form.html",
        {"form": form, "guide": section.guide, "section": section, "direct": direct},
    )


@require_GET
def section_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    section = _section_or_404(pk)
    return render(
        request,
        "guides/section_history.html",
        {
            "section": section,
            "history": selectors.section_revisions(section=section),
            "can_revert": permissions.can_revert(request.user),
        },
    )


@require_POST
@login_required
@refusals_shown
def section_revert_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    section = _section_or_404(pk)
    revision = section.revisions.filter(number=number).first()
    if revision is None:
        raise Http404("No such revision.")
    with doors.refusals(request) as outcome:
        note = doors.form_data(NoteForm(request.POST))["note"]  # too long: said, not dropped
        services.section_revert(editor=request.user, section=section, revision=revision, note=note)
    if not outcome.ok:
        return redirect("guides:section_history", pk=section.pk)
    messages.success(request, f"Reverted to revision {number}.")
    return redirect(section.get_absolute_url())


@require_POST
@login_required
@refusals_shown
def section_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    section = _section_or_404(pk)
    with doors.refusals(request) as outcome:
        note = doors.form_data(NoteForm(request.POST))["note"]  # too long: said, not dropped
        services.section_review(reviewer=request.user, section=section, note=note)
    if not outcome.ok:
        return redirect(section.get_absolute_url())
    if request.htmx:
        section = selectors.section_for_live(section.pk)
        return render(request, f"{ARTICLE}#section-trust", {"section": section})
    messages.success(request, "Marked as reviewed today.")
    return redirect(section.get_absolute_url())


@require_POST
@login_required
@refusals_shown
def helpful_view(request: HttpRequest, pk: int) -> HttpResponse:
    section = _section_or_404(pk)
    form = HelpfulForm(request.POST)
    vote: HelpfulVote | None = None
    error = ""
    if form.is_valid():
        with doors.refusals() as outcome:  # shown below: in the fragment, or a message
            vote = services.helpful_vote(
                user=request.user,
                section=section,
                helpful=form.cleaned_data["helpful"] == "yes",
                note=form.cleaned_data["note"],
            )
        error = outcome.message
    else:
        error = "Choose yes or no (a note is at most 300 characters)."
    if request.htmx:
        section.viewer_vote = vote
        return render(
            request,
            f"{ARTICLE}#helpful",
            {"section": section, "can_vote": True, "helpful_error": error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Thank you for telling us.")
    return redirect(section.get_absolute_url())


# --- Proposed edits ------------------------------------------------------------------------


def _proposal_or_404(request: HttpRequest, pk: int) -> EditProposal:
    """Another learner's proposal does not exist for you: its page, accept and decline
    all answer 404 (a 403 on accept would say that it exists)."""
    proposal = selectors.proposal_get_for_viewer(pk=pk, viewer=request.user)
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


@require_GET
@login_required
def proposal_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(request, pk)
    return render(
        request,
        "guides/proposal_detail.html",
        {
            "proposal": proposal,
            "diff": selectors.proposal_diff(proposal=proposal),
            "can_decide": permissions.can_decide_proposal(request.user, proposal),
            "decline_form": DeclineForm(),
        },
    )


@require_POST
@login_required
@refusals_shown
def proposal_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(request, pk)
    with doors.refusals(request) as outcome:
        services.proposal_accept(mentor=request.user, proposal=proposal)
    if not outcome.ok:
        return redirect(proposal.get_absolute_url())
    messages.success(request, "Published, and the proposer is credited and told.")
    return redirect(proposal.section.get_absolute_url())


@require_POST
@login_required
@refusals_shown
def proposal_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_or_404(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        with doors.refusals(form) as outcome:
            services.proposal_decline(
                mentor=request.user, proposal=proposal, reason=form.cleaned_data["reason"]
            )
        if outcome.ok:
            messages.success(request, "Declined; the proposer is told why.")
            return redirect(proposal.get_absolute_url())
    if not permissions.can_decide_proposal(request.user, proposal):
        raise PermissionDenied("Only mentors decline proposed edits.")
    return render(
        request,
        "guides/proposal_detail.html",
        {
            "proposal": proposal,
            "diff": selectors.proposal_diff(proposal=proposal),
            "can_decide": True,
            "decline_form": form,
        },
        status=400,
    )


@require_POST
@login_required
@refusals_shown
def feedback_handle_view(request: HttpRequest, pk: int) -> HttpResponse:
    vote = HelpfulVote.objects.select_related("section__guide").filter(pk=pk).first()
    if vote is None:
        raise Http404("No such feedback.")
    services.helpful_feedback_handle(mentor=request.user, vote=vote)
    messages.success(request, "Marked as handled.")
    return redirect(request.POST.get("next") or "/mod/?tab=guide")


# --- Q&A and the guide -----------------------------------------------------------------------


def _target(raw: str) -> dict[str, Any]:
    kind, number = raw[:1], raw[1:]
    if not number.isdigit():
        raise ValidationError({"target": "Choose a section, or a guide for a new section."})
    if kind == "s":
        section = Section.objects.select_related("guide").filter(pk=int(number)).first()
        if section:
            return {"section": section}
    if kind == "g":
        guide = Guide.objects.filter(pk=int(number)).first()
        if guide:
            return {"guide": guide}
    raise ValidationError({"target": "That section or guide does not exist."})


@login_required
@refusals_shown
def answer_promote_view(request: HttpRequest, pk: int) -> HttpResponse:
    answer = forum.answer_get(viewer=request.user, pk=pk)
    if answer is None:
        raise Http404("No such answer.")
    if not permissions.can_promote_answer(request.user, answer):
        raise PermissionDenied(
            "Only mentors add answers to the guide, and only an accepted answer."
        )
    question = answer.question
    guides = list(Guide.objects.only("pk", "title", "category_id"))
    default_guide = next((g for g in guides if g.category_id == question.category_id), None)
    form = PromoteForm(
        request.POST or None,
        initial={
            "target": f"g{default_guide.pk}" if default_guide else "",
            "title": question.title,
            "body": answer.body,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with doors.refusals(form) as outcome:
            section = services.answer_promote(
                mentor=request.user,
                answer=answer,
                body=data["body"],
                title=data["title"],
                note=data["note"],
                **_target(data["target"]),
            )
        if outcome.ok:
            messages.success(request, f"The answer is part of the guide: {section.title}.")
            return redirect(section.get_absolute_url())
    return _form_page(
        request,
        "guides/promote_form.html",
        {
            "form": form,
            "answer": answer,
            "question": question,
            "guide_options": [(f"g{g.pk}", g.title) for g in guides],
            "section_choices": [
                (guide_title, [(f"s{pk}", title) for pk, title in rows])
                for guide_title, rows in selectors.section_choices()
            ],
            "selected": form["target"].value(),
        },
    )


@require_POST
@login_required
@refusals_shown
def question_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = forum.question_get(viewer=request.user, pk=pk)
    if question is None:
        raise Http404("No such question.")
    form = CloseForm(request.POST)
    section = None
    if form.is_valid():
        section = (
            Section.objects.select_related("guide").filter(pk=form.cleaned_data["section"]).first()
        )
    if section is None:
        if not permissions.can_close_in_guide(request.user, question):
            raise PermissionDenied("Only mentors close questions as answered in the guide.")
        messages.error(request, "Choose the section that answers it.")
        return redirect(question)
    services.question_close_in_guide(
        mentor=request.user,
        question=question,
        section=section,
        reason=form.cleaned_data.get("reason", ""),
    )
    messages.success(request, f"Closed as answered in the guide: {section.title}.")
    return redirect(question)


@require_POST
@login_required
@refusals_shown
def question_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = forum.question_get(viewer=request.user, pk=pk)
    if question is None:
        raise Http404("No such question.")
    services.question_reopen_from_guide(mentor=request.user, question=question)
    messages.success(request, "It is open again.")
    return redirect(question)
