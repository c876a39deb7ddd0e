"""HTML doors to discussions: parse the request, call a service or selector, render.

Every action works twice: as a plain form post (redirects back, works without
JavaScript) and through HTMX (`request.htmx`: returns the fragment it changed, a partial
of the page's own template).
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseClientRefresh,
)

from accounts import ratelimits
from discussions import events, extensions, permissions, selectors, services
from discussions.forms import AnswerForm, AskForm, CommentForm, QuestionForm
from discussions.models import Answer, Comment, PostKind, Question
from hub import cache, doors
from hub.doors import refusals_shown
from hub.markdown import render_markdown
from notifications.selectors import is_muted
from notifications.services import notifications_read_for_targets

DETAIL = "discussions/question_detail.html"
LIST = "discussions/question_list.html"


def _question_or_404(request: HttpRequest, pk: int) -> Question:
    question = selectors.question_get(viewer=request.user, pk=pk)
    if question is None:
        raise Http404("No such question.")
    return question


def _answer_or_404(request: HttpRequest, pk: int) -> Answer:
    answer = selectors.answer_get(viewer=request.user, pk=pk)
    if answer is None:
        raise Http404("No such answer.")
    return answer


def _comment_or_404(request: HttpRequest, pk: int) -> Comment:
    comment = selectors.comment_get(viewer=request.user, pk=pk)
    if comment is None:
        raise Http404("No such comment.")
    return comment


def _thread_context(request: HttpRequest, question: Question, **extra: Any) -> dict[str, Any]:
    thread = selectors.question_thread(viewer=request.user, question=question)
    return {"thread": thread, "question": question, **extra}


# --- Lists and search -----------------------------------------------------------------


@require_POST
@login_required
@refusals_shown
def watch_view(request: HttpRequest) -> HttpResponse:
    """Watch a category (`category=<slug>`) or a tag (`tag=<name>`) for new questions."""
    category = selectors.category_get(slug=request.POST.get("category", ""))
    tag = selectors.tag_get(name=request.POST.get("tag", ""))
    if category is None and tag is None:
        raise Http404("Nothing to watch.")
    watching = services.watch_set(
        user=request.user,
        watching=request.POST.get("watching") == "1",
        category=category,
        tag=None if category else tag,
    )
    if request.htmx:
        context = {
            "watching": watching,
            "current_category": category,
            "current_tag": "" if category else tag.name,
        }
        return render(request, "discussions/question_list.html#watch", context)
    return redirect(
        f"{reverse('discussions:question_list')}?"
        + (f"category={category.slug}" if category else f"tag={tag.name}")
    )


def question_list_context(request: HttpRequest) -> dict[str, Any]:
    """What the list shows for this request's filters; shared with the home page."""
    slug = request.GET.get("category", "")
    category = selectors.category_get(slug=slug)
    if slug and category is None:
        raise Http404("No such topic.")
    page = selectors.question_list(
        viewer=request.user,
        category=category,
        tag=request.GET.get("tag") or None,
        show=request.GET.get("show") or None,
        sort=request.GET.get("sort", "active"),
        cursor=request.GET.get("after") or None,
    )
    params = {
        k: v for k, v in request.GET.items() if k in ("category", "tag", "show", "sort") and v
    }
    current_tag = (request.GET.get("tag") or "").lower()
    return {
        "page": page,
        "rows_html": _rows_cached(page, params),
        "watching": selectors.is_watching(user=request.user, category=category, tag=current_tag),
        "categories": selectors.category_list(),
        "current_category": category,
        "current_tag": (request.GET.get("tag") or "").lower(),
        "sorts": selectors.SORTS,
        "shows": selectors.SHOWS,
        "params": params,
    }


def _row_facts(q: Question) -> tuple:
    """Everything a list row shows of a question (the question-row partial)."""
    author, category = q.author, q.category
    return (
        q.pk, q.title, q.excerpt, q.score, q.answer_count, q.accepted_answer_id, q.created_at,
        q.pinned_at, q.hidden_at, q.locked_at, q.duplicate_of_id,
        category.slug, category.name, author.handle, author.name, author.is_mentor,
        author.avatar_colour, tuple(tag.name for tag in q.tags.all()),
    )  # fmt: skip


def _rows_cached(page: Any, params: dict[str, str]) -> SafeString | None:
    """The page's rows (and its "load more" link) rendered once for everyone who gets the
    same rows (hub.cache.by_content: keyed on what they show, nothing to invalidate).
    Templates were most of a signed-in list's time (docs/bench.md)."""
    if not settings.NEXUS_CACHE or not page.questions:
        return None
    facts = ([_row_facts(q) for q in page.questions], sorted(params.items()), page.next_cursor)

    def compute() -> str:
        context = {"page": page, "params": params, "live": False}
        return render_to_string(f"{LIST}#question-rows", context)

    html = cache.by_content("question-rows", facts=facts, compute=compute, minute=True)
    return mark_safe(html)  # noqa: S308 - our own render


def home_view(request: HttpRequest) -> HttpResponse:
    """The home page: a welcome, and the question list as its main column (hub/urls.py
    mounts it at /)."""
    return render(request, "hub/home.html", question_list_context(request))


@require_GET
def question_list_view(request: HttpRequest) -> HttpResponse:
    context = question_list_context(request)
    if request.htmx and request.GET.get("after"):
        return render(request, f"{LIST}#question-rows", context)
    return render(request, LIST, context)


# --- A question --------------------------------------------------------------------------


# Stands for the viewer's CSRF token in cached HTML; replaced per response.
CSRF_PLACEHOLDER = "nexus-csrf-placeholder-7d1f0c"
# Where other apps' per-viewer lines go under an answer in the shared copy (a comment: the
# Markdown sanitiser drops comments, so no post can contain one).
ANSWER_EXTRA_MARK = "<!--nexus-answer-extra:{}-->"


def _answers_render(question: Question, answers: list[Answer]) -> str:
    """The answers section as the shared copies hold it: viewer-neutral controls behind
    data-show-for rules (static/js/live.js reveals them), a placeholder for the CSRF
    token, a mark where other apps' lines go under each answer."""
    context = {
        "question": question,
        "thread": {"answers": answers, "voted_answer_ids": frozenset()},
        "live": True,
        "neutral": True,
        "csrf_token": CSRF_PLACEHOLDER,
        "comment_form": CommentForm(),
    }
    return render_to_string(f"{DETAIL}#answers", context)


def _answers_cached(request: HttpRequest, question: Question) -> tuple[SafeString, list[int]]:
    """The thread's answers and their comments, rendered once per thread version for every
    viewer who sees the same posts (hub.cache; discussions.events bumps the version with
    each live event). Everyone shares the copy without hidden posts; in a thread with
    hidden posts, mentors share a second copy with them (marked, with their Unhide), and
    the author of a hidden post has one with their own. Per-viewer controls are hidden
    behind data-show-for rules in each, as in the live fragments."""
    deps = [("question", question.pk)]

    def everyone() -> tuple[str, list[int], frozenset[int]]:
        neutral = selectors.question_answers_neutral(question=question)
        html = _answers_render(question, neutral.answers)
        return html, [a.pk for a in neutral.answers], neutral.hidden_author_ids

    html, answer_ids, hidden_authors = cache.fragment(
        "thread-answers", deps=deps, parts=[question.pk], compute=everyone
    )
    user = request.user
    if hidden_authors and user.is_authenticated and (user.is_mentor or user.pk in hidden_authors):

        def seen() -> tuple[str, list[int]]:
            answers = selectors.question_answers_seen(viewer=user, question=question)
            return _answers_render(question, answers), [a.pk for a in answers]

        audience = "mentors" if user.is_mentor else f"author-{user.pk}"
        html, answer_ids = cache.fragment(
            "thread-answers-seen", deps=deps, parts=[question.pk, audience], compute=seen
        )
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request))), answer_ids  # noqa: S308 - our own render


@require_GET
def question_detail_view(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    question = _question_or_404(request, pk)
    if slug != question.slug:
        # Temporary: a cached 301 would loop once the title goes back (see the canonical link).
        return redirect(question)
    target_key = events.question_topic(question.pk)
    extra = {
        "answer_form": AnswerForm(),
        "comment_form": CommentForm(),
        "target_key": target_key,
        "muted": is_muted(user=request.user, target_key=target_key),
    }
    answers_html, answer_ids = _answers_cached(request, question)
    # Other apps' lines under answers (a guide link, a mentor's "add to the guide") are per
    # viewer: the shared copy marks their place in each answer and they go in here.
    extras = extensions.thread_extras(request=request, question=question, answer_ids=answer_ids)
    for answer_id, html in extras.answers.items():
        mark = ANSWER_EXTRA_MARK.format(answer_id)
        answers_html = mark_safe(answers_html.replace(mark, html, 1))  # noqa: S308 - ours
    thread = selectors.question_thread_for_viewer(
        viewer=request.user, question=question, answer_ids=answer_ids
    )
    context = {"thread": thread, "question": question, "answers_html": answers_html, **extra}
    context["extras"] = extras
    # Looking at the thread is reading its news: the bell (rendered below) counts the rest.
    notifications_read_for_targets(
        user=request.user,
        target_keys=[target_key, *(f"answer:{answer_id}" for answer_id in answer_ids)],
    )
    if request.user.is_authenticated and request.user.is_mentor:
        # Mentors' tools (moderation's templates; their notes come by its template tag):
        # the topics to move the question to.
        context["categories"] = selectors.category_list()
    return render(request, DETAIL, context)


@login_required
@refusals_shown
def question_ask_view(request: HttpRequest) -> HttpResponse:
    if not permissions.can_ask(request.user):
        raise PermissionDenied(permissions.write_refusal(request.user))
    form = AskForm(
        request.POST or None,
        initial={"category": request.GET.get("category"), "project": request.GET.get("project")},
    )
    project = _asked_about(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with doors.refusals(form, denied=services.RateLimited) as outcome:
            question = services.question_create(
                author=request.user,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                tags=data["tags"],
                project=project,
            )
        if outcome.ok:
            messages.success(request, "Your question is posted. You will be told of answers.")
            return redirect(question)
    return render(
        request,
        "discussions/question_form.html",
        {"form": form, "ask": True, "project": project},
        status=400 if form.errors else 200,
    )


def _asked_about(request: HttpRequest, form: AskForm) -> Any:
    """The project a question is asked about (`?project=<id>` from its page), if the asker
    may see it; anything else is ignored."""
    from projects.selectors import project_get_for_viewer

    raw = request.POST.get("project") or request.GET.get("project") or ""
    if not raw.isdigit():
        return None
    return project_get_for_viewer(viewer=request.user, pk=int(raw))


@login_required
@refusals_shown
def question_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    if not permissions.can_edit(request.user, question):
        raise PermissionDenied("You can only edit your own questions.")
    initial = {
        "title": question.title,
        "category": question.category_id,
        "tags": " ".join(t.name for t in question.tags.all()),
        "body": question.body,
    }
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form) as outcome:
            services.question_edit(editor=request.user, question=question, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, "Your edit is saved.")
            if request.htmx:
                return HttpResponseClientRefresh()
            return redirect(question)
    if request.htmx:
        # Edited in place: the form replaces the question on its own page.
        return render(
            request,
            "discussions/question_form.html#question-form",
            {"form": form, "question": question},
        )
    return render(
        request,
        "discussions/question_form.html",
        {"form": form, "question": question},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
@refusals_shown
def question_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    services.question_delete(actor=request.user, question=question)
    messages.success(request, "Your question is deleted.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("home"))
    return redirect("home")


@require_POST
@login_required
@refusals_shown
def question_vote_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    voted = services.vote_toggle(user=request.user, post=question)
    if request.htmx:
        return render(
            request, f"{DETAIL}#vote", {"post": question, "kind": "question", "voted": voted}
        )
    return redirect(question)


@require_POST
@login_required
@refusals_shown
def question_follow_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    following = services.question_follow_set(
        user=request.user, question=question, follow=request.POST.get("follow") == "1"
    )
    if request.htmx:
        return render(
            request, f"{DETAIL}#follow", {"question": question, "thread": {"following": following}}
        )
    return redirect(question)


# --- Answers -----------------------------------------------------------------------------


@require_POST
@login_required
@refusals_shown
def answer_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        with doors.refusals(form) as outcome:
            answer = services.answer_create(
                author=request.user, question=question, body=form.cleaned_data["body"]
            )
        if outcome.ok:
            if not request.htmx:
                return redirect(answer)
            question.refresh_from_db()
            context = _thread_context(
                request, question, answer_form=AnswerForm(), comment_form=CommentForm()
            )
            context["highlight"] = answer.pk
            return render(request, f"{DETAIL}#answers-and-form", context)
    if request.htmx:
        response = render(
            request, f"{DETAIL}#answer-form", {"question": question, "answer_form": form}
        )
        response["HX-Retarget"] = "#answer-form"
        response["HX-Reswap"] = "outerHTML"
        return response
    context = _thread_context(request, question, answer_form=form, comment_form=CommentForm())
    return render(request, DETAIL, context, status=400)


@login_required
@refusals_shown
def answer_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    answer = _answer_or_404(request, pk)
    if not permissions.can_edit(request.user, answer):
        raise PermissionDenied("You can only edit your own answers.")
    form = AnswerForm(request.POST or None, initial={"body": answer.body})
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form) as outcome:
            services.answer_edit(editor=request.user, answer=answer, body=form.cleaned_data["body"])
        if outcome.ok:
            if request.htmx:
                return _answer_fragment(request, answer)
            messages.success(request, "Your edit is saved.")
            return redirect(answer)
    context = {"form": form, "answer": answer, "question": answer.question}
    if request.htmx:
        return render(request, "discussions/answer_form.html#answer-edit", context)
    return render(
        request, "discussions/answer_form.html", context, status=400 if form.errors else 200
    )


def _answer_fragment(request: HttpRequest, answer: Answer) -> HttpResponse:
    question = answer.question
    thread = selectors.question_thread(viewer=request.user, question=question)
    fresh = next(a for a in thread.answers if a.pk == answer.pk)
    return render(
        request,
        f"{DETAIL}#answer",
        {"answer": fresh, "thread": thread, "question": question, "comment_form": CommentForm()},
    )


@require_POST
@login_required
@refusals_shown
def answer_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    answer = _answer_or_404(request, pk)
    services.answer_delete(actor=request.user, answer=answer)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, "Your answer is deleted.")
    return redirect(answer.question)


@require_POST
@login_required
@refusals_shown
def answer_vote_view(request: HttpRequest, pk: int) -> HttpResponse:
    answer = _answer_or_404(request, pk)
    voted = services.vote_toggle(user=request.user, post=answer)
    if request.htmx:
        return render(request, f"{DETAIL}#vote", {"post": answer, "kind": "answer", "voted": voted})
    return redirect(answer)


@require_POST
@login_required
@refusals_shown
def answer_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept this answer, or undo it if it is the accepted one."""
    answer = _answer_or_404(request, pk)
    question = answer.question
    if question.accepted_answer_id == answer.pk:
        services.answer_unaccept(actor=request.user, question=question)
    else:
        services.answer_accept(actor=request.user, answer=answer)
    if request.htmx:
        context = _thread_context(request, question, comment_form=CommentForm())
        return render(request, f"{DETAIL}#answers", context)
    return redirect(answer)


# --- Comments ----------------------------------------------------------------------------


@login_required
@refusals_shown
def comment_create_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """GET: the comment form (in place over HTMX, or a page of its own); POST: comment."""
    if kind == PostKind.QUESTION:
        question = _question_or_404(request, pk)
        target: dict[str, Question | Answer] = {"question": question}
    else:
        answer = _answer_or_404(request, pk)
        question, target = answer.question, {"answer": answer}
    if request.method != "POST":
        refusal = permissions.refusal_for(request.user, question, answering=False)
        if refusal:  # the account's reason, or the thread's (locked, hidden, deleted)
            raise PermissionDenied(refusal)
        context = {
            "post": target.get("answer") or question,
            "kind": kind,
            "question": question,
            "comment_form": CommentForm(),
            "create": True,
        }
        if request.htmx:
            return render(request, f"{DETAIL}#comment-create-form", context)
        return render(request, "discussions/comment_form.html", context)
    form = CommentForm(request.POST)
    if form.is_valid():
        with doors.refusals(form) as outcome:
            comment = services.comment_create(
                author=request.user, body=form.cleaned_data["body"], **target
            )
        if outcome.ok:
            if not request.htmx:
                return redirect(f"{question.get_absolute_url()}#comment-{comment.pk}")
            form = CommentForm()
    if not request.htmx:
        messages.error(request, doors.form_message(form))
        return redirect(question)
    thread = selectors.question_thread(viewer=request.user, question=question)
    if kind == PostKind.QUESTION:
        comments, post = thread.comments, question
    else:
        post = next(a for a in thread.answers if a.pk == pk)
        comments = post.live_comments
    context = {
        "comments": comments,
        "post": post,
        "kind": kind,
        "comment_form": form,
        "question": question,
    }
    # Form errors come back with 200: htmx swaps only successful responses.
    return render(request, f"{DETAIL}#comments", context)


@login_required
@refusals_shown
def comment_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(request, pk)
    if not permissions.can_edit(request.user, comment):
        raise PermissionDenied("You can only edit your own comments.")
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        with doors.refusals(form) as outcome:
            services.comment_edit(
                editor=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        if outcome.ok:
            if request.htmx:
                return render(request, f"{DETAIL}#comment", {"comment": comment})
            return redirect(_comment_question(comment))
    context = {"form": form, "comment": comment, "question": _comment_question(comment)}
    if request.htmx:
        return render(request, "discussions/comment_form.html#comment-edit", context)
    return render(
        request, "discussions/comment_form.html", context, status=400 if form.errors else 200
    )


def _comment_question(comment: Comment) -> Question:
    return comment.question or comment.answer.question


@require_POST
@login_required
@refusals_shown
def comment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(request, pk)
    services.comment_delete(actor=request.user, comment=comment)
    if request.htmx:
        return HttpResponse("")
    return redirect(_comment_question(comment))


# --- Revisions ---------------------------------------------------------------------------


@require_GET
def revisions_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind == PostKind.QUESTION:
        question = _question_or_404(request, pk)
    elif kind == PostKind.ANSWER:
        question = _answer_or_404(request, pk).question
    else:
        raise Http404
    history = selectors.revision_history(kind=kind, post_id=pk)
    return render(
        request,
        "discussions/revisions.html",
        {"question": question, "history": history, "kind": kind},
    )


# --- Writing helpers (HTMX) ----------------------------------------------------------------


@require_POST
def preview_view(request: HttpRequest) -> HttpResponse:
    """The live preview: the same renderer the services store with. For people signed in
    (the editor offers it to no one else), within a per-account rate: each call renders up
    to 20,000 characters. A 401 or 429 is not swapped in by htmx: the last preview stays."""
    if not request.user.is_authenticated:
        return HttpResponse("Sign in to preview.", status=401, content_type="text/plain")
    if not ratelimits.consume(request, action="markdown_preview"):
        return HttpResponse(
            "Too many previews in a minute: the preview resumes shortly.",
            status=429,
            content_type="text/plain",
        )
    source = request.POST.get("body", "")[:20_000]
    html = render_markdown(source).html if source.strip() else ""
    return render(request, "discussions/includes/preview.html", {"html": html})


@require_GET
def question_similar_view(request: HttpRequest) -> HttpResponse:
    title = request.GET.get("title", "")
    similar = selectors.question_similar(title=title)
    extra = extensions.similar_extras(title=title)
    return render(
        request,
        "discussions/includes/similar.html",
        {"similar": similar, "extra_similar": extra},
    )


@require_GET
def tag_suggest_view(request: HttpRequest) -> HttpResponse:
    words = request.GET.get("tags", "").replace(",", " ").split(" ")
    tags = selectors.tag_suggest(prefix=words[-1] if words else "")
    return render(request, "discussions/includes/tag_options.html", {"tags": tags})


@require_GET
def handle_suggest_view(request: HttpRequest) -> HttpResponse:
    people = selectors.handle_suggest(prefix=request.GET.get("q", ""))
    return render(request, "discussions/includes/handle_options.html", {"people": people})
