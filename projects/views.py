"""HTML doors to the project showcase: parse, call a service or selector, render.
Actions work as plain posts (redirect back) and over HTMX (the fragment they change)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import user_get_by_handle
from hub import cache, doors
from hub.doors import refusals_shown
from notifications.services import notifications_read_for_targets
from projects import events, permissions, selectors, services
from projects.forms import FeedbackForm, ProjectForm, ReviewForm
from projects.models import STACK_TAGS, Project

DETAIL = "projects/project_detail.html"
GALLERY = "projects/project_gallery.html"


def _project_or_404(request: HttpRequest, pk: int) -> Project:
    project = selectors.project_get_for_viewer(viewer=request.user, pk=pk)
    if project is None:
        raise Http404("No such project.")
    return project


def detail_context(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    return selectors.project_page(viewer=request.user, project=project, **extra)


def _card_facts(project: Project) -> tuple:
    """Everything a gallery card shows of a project (the card partial)."""
    author = project.author
    return (
        project.pk, project.title, project.pitch, project.star_count, project.feedback_count,
        project.state, project.review_state, project.feedback_wanted,
        author.handle, author.name, author.avatar_colour,
        tuple(tag.name for tag in project.tags.all()),
    )  # fmt: skip


def _cards_cached(page: Any, params: dict[str, str]) -> SafeString | None:
    """The gallery's cards (and its "more" link) rendered once for everyone who gets the
    same cards (hub.cache.by_content: keyed on what they show, nothing to invalidate)."""
    if not settings.NEXUS_CACHE or not page.projects:
        return None
    facts = ([_card_facts(p) for p in page.projects], sorted(params.items()), page.next_cursor)

    def compute() -> str:
        return render_to_string(f"{GALLERY}#cards", {"page": page, "params": params})

    html = cache.by_content("project-cards", facts=facts, compute=compute)
    return mark_safe(html)  # noqa: S308 - our own render


@require_GET
def project_gallery_view(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    page = selectors.project_gallery(
        viewer=request.user,
        tag=request.GET.get("tag") or None,
        cohort=request.GET.get("cohort") or None,
        feedback_wanted=show == "feedback",
        reviewed=show == "reviewed",
        mine=show == "mine",
        sort=request.GET.get("sort", "newest"),
        cursor=request.GET.get("after") or None,
    )
    params = {k: v for k, v in request.GET.items() if k in ("tag", "cohort", "show", "sort") and v}
    context = {
        "page": page,
        "cards_html": _cards_cached(page, params),
        "params": params,
        "show": show,
        "sorts": selectors.SORTS,
        "cohorts": selectors.gallery_cohorts(),
        "tags": selectors.tag_suggestions(),
    }
    if request.htmx and request.GET.get("after"):
        return render(request, f"{GALLERY}#cards", context)
    return render(request, GALLERY, context)


@require_GET
def projects_by_user_view(request: HttpRequest, handle: str) -> HttpResponse:
    """A profile's projects (the profile loads this fragment)."""
    owner = user_get_by_handle(handle=handle)
    projects = selectors.projects_of_user(viewer=request.user, user=owner)
    return render(request, "projects/project_gallery.html#profile-projects", {"projects": projects})


@login_required
@require_GET
def awaiting_review_view(request: HttpRequest) -> HttpResponse:
    if not permissions.is_mentor(request.user):
        raise PermissionDenied("The review queue is for mentors.")
    projects = selectors.projects_awaiting_review(viewer=request.user)
    return render(request, "projects/awaiting_review.html", {"projects": projects})


@require_GET
def project_detail_view(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    project = _project_or_404(request, pk)
    if slug != project.slug:
        # Temporary: a cached 301 would loop once the title goes back (see the canonical link).
        return redirect(project)
    context = detail_context(request, project)
    # Looking at the project is reading its news (feedback, reviews, replies to feedback).
    notifications_read_for_targets(
        user=request.user,
        target_keys=[
            events.project_topic(project.pk),
            *(f"project-feedback:{row.pk}" for row in context["detail"].feedback),
        ],
    )
    return render(request, DETAIL, context)


def _project_form_page(
    request: HttpRequest, form: ProjectForm, project: Project | None
) -> HttpResponse:
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project, "stack_tags": STACK_TAGS},
        status=400 if form.errors else 200,
    )


@login_required
@refusals_shown
def project_create_view(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create(request.user):
        raise PermissionDenied(permissions.write_refusal(request.user))
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form) as outcome:
            project = services.project_create(
                author=request.user,
                publish=request.POST.get("publish") == "1",
                **form.cleaned_data,
            )
        if outcome.ok:
            messages.success(
                request,
                "Your project is published."
                if project.state == "published"
                else "Saved as a draft: only you can see it until you publish.",
            )
            return redirect(project)
    return _project_form_page(request, form, None)


@login_required
@refusals_shown
def project_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    if not permissions.can_edit(request.user, project):
        raise PermissionDenied("Only the author edits a project.")
    initial = {
        "title": project.title,
        "pitch": project.pitch,
        "repository_url": project.repository_url,
        "demo_url": project.demo_url,
        "docs_url": project.docs_url,
        "description": project.description,
        "tags": " ".join(t.name for t in project.tags.all()),
        "cohort": project.cohort,
        "track": project.track,
        "feedback_wanted": project.feedback_wanted,
        "feedback_note": project.feedback_note,
    }
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form) as outcome:
            services.project_edit(editor=request.user, project=project, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "Your project is saved.")
            return redirect(project)
    return _project_form_page(request, form, project)


@require_POST
@login_required
@refusals_shown
def project_state_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish or unpublish (the author). Mentors hide and unhide through moderation's
    one hide door (logged, the author told why)."""
    project = _project_or_404(request, pk)
    action = request.POST.get("action")
    if action == "publish":
        services.project_publish(actor=request.user, project=project)
    elif action == "unpublish":
        services.project_unpublish(actor=request.user, project=project)
    else:
        raise Http404("Unknown action.")
    return redirect(project)


@require_POST
@login_required
@refusals_shown
def star_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    starred = services.star_toggle(user=request.user, project=project)
    if request.htmx:
        project.refresh_from_db(fields=["star_count"])
        return render(
            request, f"{DETAIL}#star", {"project": project, "detail": {"starred": starred}}
        )
    return redirect(project)


@require_POST
@login_required
@refusals_shown
def feedback_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = FeedbackForm(request.POST)
    parent = None
    if form.is_valid() and form.cleaned_data["parent"]:
        parent = selectors.feedback_get_for_viewer(
            viewer=request.user, pk=form.cleaned_data["parent"]
        )
        if parent is None:
            raise Http404("No such feedback.")
    if form.is_valid():
        with doors.refusals(form) as outcome:
            feedback = services.feedback_create(
                author=request.user, project=project, body=form.cleaned_data["body"], parent=parent
            )
        if outcome.ok:
            if request.htmx:
                project.refresh_from_db()
                return render(request, f"{DETAIL}#feedback", detail_context(request, project))
            return redirect(f"{project.get_absolute_url()}#feedback-{feedback.pk}")
    messages.error(request, doors.form_message(form) or "Your feedback could not be posted.")
    return redirect(project)


@require_POST
@login_required
@refusals_shown
def review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The review workflow: request (author), claim / release / submit (mentors)."""
    project = _project_or_404(request, pk)
    action = request.POST.get("action")
    if action == "request":
        services.review_request(actor=request.user, project=project)
        messages.success(request, "A mentor will pick up your review request.")
    elif action == "claim":
        services.review_claim(mentor=request.user, project=project)
        messages.success(request, "It's yours: the author sees you are reviewing.")
    elif action == "release":
        services.review_release(mentor=request.user, project=project)
    elif action == "submit":
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return render(
                request, DETAIL, detail_context(request, project, review_form=form), status=400
            )
        with doors.refusals(form) as outcome:
            services.review_submit(mentor=request.user, project=project, **form.cleaned_data)
        if not outcome.ok:
            return render(
                request, DETAIL, detail_context(request, project, review_form=form), status=400
            )
        messages.success(request, "Review posted. The author has been told.")
    else:
        raise Http404("Unknown action.")
    return redirect(f"{project.get_absolute_url()}#reviews")


def _feedback_or_404(request: HttpRequest, pk: int):
    feedback = selectors.feedback_get_for_viewer(viewer=request.user, pk=pk)
    if feedback is None:
        raise Http404("No such feedback.")
    return feedback


@login_required
@refusals_shown
def feedback_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit your feedback (each edit keeps a revision)."""
    feedback = _feedback_or_404(request, pk)
    if not permissions.can_edit_feedback(request.user, feedback):
        raise PermissionDenied("You can only edit your own feedback.")
    form = FeedbackForm(request.POST or None, initial={"body": feedback.body})
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form) as outcome:
            services.feedback_edit(
                editor=request.user, feedback=feedback, body=form.cleaned_data["body"]
            )
        if outcome.ok:
            messages.success(request, "Your feedback is saved.")
            return redirect(f"{feedback.project.get_absolute_url()}#feedback-{feedback.pk}")
    return render(
        request,
        "projects/feedback_form.html",
        {"form": form, "feedback": feedback, "project": feedback.project},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
@refusals_shown
def feedback_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _feedback_or_404(request, pk)
    services.feedback_delete(actor=request.user, feedback=feedback)
    return redirect(f"{feedback.project.get_absolute_url()}#feedback")
