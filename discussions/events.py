"""Discussions' live events: topic names, who may follow them, and the fragments each
event sends. Services call these through `on_commit` helpers only; each renders its
fragment once, viewer-neutral, and publishes it through `hub.live`.

Each event also bumps the cache versions of what it changed (hub.cache), here and only
here, so a cached thread or list is never older than the last event published for it:

    ("question", id)   the thread page's answers and comments
    ("questions", "")  every list row and count (a question's score, answers, activity)

Topics:
    question:<id>   a thread: answers, comments, scores, accepts, edits, typing, viewers
    feed            new questions, for the "N new questions" bar on the list
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html

from hub import cache, live, presence

DETAIL = "discussions/question_detail.html"
LIVE = "discussions/live.html"


def question_topic(question_id: int) -> str:
    return f"question:{question_id}"


def question_group(key: str) -> str:
    return f"discussions.question.{int(key)}"


def feed_group(key: str) -> str:
    return "discussions.feed"


def _authorize_question(user: Any, key: str) -> bool:
    from discussions.selectors import questions_visible_to

    return questions_visible_to(user).filter(pk=int(key)).exists()


def _authorize_feed(user: Any, key: str) -> bool:
    return key == ""


# A tab's time (#live-at) is taken while its page renders, after some of the page's reads:
# a catch-up skips the thread only when its last change came this long before that time.
CATCH_UP_MARGIN_SECONDS = 5.0


def _catch_up_question(request: HttpRequest, key: str, since: Any) -> str:
    """The thread as this viewer should see it now: answers, header badges, notices, the
    answer form (a lock closes it) and the score. Forms a person is using survive the
    swap in the browser (static/js/live.js keeps them). Nothing when the thread has not
    changed since well before the tab's time (every socket open asks; re-rendering a
    50-answer thread costs more than its cached page)."""
    from discussions.extensions import thread_extras
    from discussions.forms import AnswerForm, CommentForm
    from discussions.selectors import question_get, question_thread

    if since is not None and cache.unchanged_since(
        [("question", int(key))], since.timestamp() - CATCH_UP_MARGIN_SECONDS
    ):
        # Nothing on the thread changed since well before the tab's time: it has it all.
        return ""
    question = question_get(viewer=request.user, pk=int(key))
    if question is None:
        # Deleted, or hidden by a mentor or by flags since the page was opened.
        return render_to_string(f"{LIVE}#question-gone", {})
    thread = question_thread(viewer=request.user, question=question)
    extras = thread_extras(
        request=request,
        question=question,
        answer_ids=[answer.pk for answer in thread.answers],
        answers=thread.answers,
    )
    context = {
        "question": question,
        "thread": thread,
        "comment_form": CommentForm(),
        "extras": extras,
        "answer_form": AnswerForm(),
    }
    return render_to_string(f"{LIVE}#catch-up-question", context, request=request)


def _catch_up_feed(request: HttpRequest, key: str, since: Any) -> str:
    from discussions.selectors import questions_created_since

    if since is None:
        return ""
    questions = questions_created_since(viewer=request.user, since=since)
    return render_to_string(f"{LIVE}#incoming-questions", {"questions": questions})


def register_topics() -> None:
    live.register(
        live.Topic(
            "question",
            group=question_group,
            authorize=_authorize_question,
            catch_up=_catch_up_question,
        )
    )
    live.register(
        live.Topic("feed", group=feed_group, authorize=_authorize_feed, catch_up=_catch_up_feed)
    )


# --- Events ---------------------------------------------------------------------------------


def question_bump(question_id: int) -> None:
    """Invalidate the cached thread of this question and every list (hub.cache)."""
    cache.version_bump("question", question_id)
    cache.version_bump("questions")


def _render(partial: str, **context: Any) -> str:
    context.setdefault("live", True)
    # Viewer-neutral: nobody's votes or follows.
    context.setdefault("thread", {"voted_answer_ids": frozenset(), "voted_question": False})
    context.setdefault("live_at", live.now_iso())
    return render_to_string(f"{LIVE}#{partial}", context)


def answer_created(answer_id: int) -> None:
    from discussions.models import Answer

    answer = (
        Answer.objects.select_related("author", "question__project").filter(pk=answer_id).first()
    )
    if answer is None:
        return
    question_bump(answer.question_id)
    if answer.is_deleted:
        return
    answer.live_comments = []
    topic = question_topic(answer.question_id)
    html = _render(
        "answer-created",
        answer=answer,
        question=answer.question,
        typing_clear=presence.typing_clear_fragment(topic),
    )
    live.publish(topic, html, {"name": "answer.created", "id": answer_id})


def answer_changed(answer_id: int) -> None:
    from discussions.models import Answer

    answer = Answer.objects.filter(pk=answer_id).only(
        "body_html", "question_id", "is_deleted", "hidden_at"
    )
    answer = answer.first()
    if answer is None:
        return
    question_bump(answer.question_id)
    if answer.hidden_at is not None:
        # A hidden answer's words never go to every tab: each fetches its own view.
        thread_stale(answer.question_id)
        return
    html = _render("answer-changed", answer=answer)
    live.publish(question_topic(answer.question_id), html)


def comment_created(comment_id: int) -> None:
    from discussions.models import Comment

    comment = Comment.objects.select_related("author", "answer").filter(pk=comment_id).first()
    if comment is None:
        return
    question_bump(comment.thread_question_id)
    if comment.is_deleted:
        return
    if _under_hidden(comment):
        thread_stale(comment.thread_question_id)
        return
    kind, post_id = (
        ("question", comment.question_id)
        if comment.question_id
        else (
            "answer",
            comment.answer_id,
        )
    )
    html = _render("comment-created", comment=comment, kind=kind, post_id=post_id)
    live.publish(question_topic(comment.thread_question_id), html)


def comment_changed(comment_id: int) -> None:
    from discussions.models import Comment

    comment = Comment.objects.select_related("answer").filter(pk=comment_id).first()
    if comment is None:
        return
    question_bump(comment.thread_question_id)
    if _under_hidden(comment):
        thread_stale(comment.thread_question_id)
        return
    html = _render("comment-changed", comment=comment)
    live.publish(question_topic(comment.thread_question_id), html)


def _under_hidden(comment: Any) -> bool:
    """A hidden comment, or one on a hidden answer: not for every tab."""
    return comment.hidden_at is not None or (
        comment.answer_id is not None and comment.answer.hidden_at is not None
    )


def score_changed(kind: str, post_id: int, question_id: int, score: int) -> None:
    question_bump(question_id)
    html = format_html(
        '<output class="vote__score" id="score-{}-{}" hx-swap-oob="true" aria-label="Score">'
        "{}</output>",
        kind,
        post_id,
        score,
    )
    event = {"name": "question.updated", "id": question_id} if kind == "question" else None
    live.publish(question_topic(question_id), html, event)


def thread_stale(question_id: int) -> None:
    """Something that reorders the thread or changes who may do what (an accept): each
    tab fetches its own view of the answers (rare, so the extra requests are fine)."""
    question_bump(question_id)
    live.recheck(question_topic(question_id))  # hidden? its subscribers re-check first
    live.publish(
        question_topic(question_id),
        _render("thread-stale", question_id=question_id),
        {"name": "question.updated", "id": question_id},
    )


def question_changed(question_id: int) -> None:
    from discussions.models import Question

    question_bump(question_id)
    question = (
        Question.objects.select_related("duplicate_of", "project").filter(pk=question_id).first()
    )
    if question is None:
        return
    if question.hidden_at is not None:
        thread_stale(question_id)
        return
    live.recheck(question_topic(question_id))  # deleted? its subscribers re-check first
    live.publish(
        question_topic(question_id),
        _render("question-changed", question=question),
        {"name": "question.updated", "id": question_id},
    )


def question_created(question_id: int) -> None:
    from discussions.models import Question

    question_bump(question_id)
    question = (
        Question.objects.select_related("author", "category")
        .prefetch_related("tags")
        .filter(pk=question_id)
        .first()
    )
    if question is None:
        return
    live.publish("feed", _render("incoming-questions", questions=[question]))
