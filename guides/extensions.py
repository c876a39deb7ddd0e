"""The guide on the forum's pages, through discussions' extension points (discussions
never imports guides): the thread page's "This answer is part of the guide" and "Answered
in the guide" notices and the mentors' tools, and guide sections in the ask page's
suggestions (the site search has its own provider: guides/search.py). Each hook runs a
fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from discussions import extensions
from guides import permissions, selectors
from guides.models import LinkKind

THREAD = "guides/includes/thread.html"


def thread_extras(
    request: HttpRequest, question: Any, answer_ids: Sequence[int]
) -> extensions.ThreadExtras:
    viewer = request.user
    links = selectors.thread_links(question_id=question.pk)  # 1 query
    answered = next((link for link in links if link.kind == LinkKind.ANSWERED), None)
    promoted: dict[int, list[Any]] = {}
    for link in links:
        if link.kind == LinkKind.PROMOTED and link.answer_id:
            promoted.setdefault(link.answer_id, []).append(link)
    mentor = permissions.can_close_in_guide(viewer, question)
    result = extensions.ThreadExtras()
    if answered is not None:
        result.notice = render_to_string(f"{THREAD}#answered", {"link": answered})
    for answer_id in answer_ids:
        may_promote = mentor and answer_id == question.accepted_answer_id
        if answer_id in promoted or may_promote:
            result.answers[answer_id] = render_to_string(
                f"{THREAD}#answer",
                {
                    "links": promoted.get(answer_id, []),
                    "answer_id": answer_id,
                    "may_promote": may_promote,
                },
            )
    if mentor:
        result.tools = render_to_string(
            f"{THREAD}#tools",
            {
                "question": question,
                "answered": answered,
                "section_choices": selectors.section_choices() if answered is None else [],
            },
            request=request,  # its forms post without JavaScript: they need the CSRF token
        )
    return result


def similar_extras(title: str) -> list[extensions.ExtraResult]:
    return [
        extensions.ExtraResult(
            kind="Guide",
            title=section.title,
            url=section.get_absolute_url(),
            meta=f"in the {section.guide.title} guide",
        )
        for section in selectors.section_similar(title=title)
    ]


def register() -> None:
    extensions.register_thread(thread_extras)
    extensions.register_similar(similar_extras)
