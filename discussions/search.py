"""Questions (with their answers) in the site search (hub.search), registered in ready()."""

from __future__ import annotations

from typing import Any

from django.utils.dateformat import format as date_format

from discussions import selectors
from hub import search


def question_hits(
    viewer: Any, query: search.ParsedQuery, offset: int, limit: int
) -> search.KindPage:
    results, total = selectors.question_search_page(
        viewer=viewer, query=query, offset=offset, limit=limit
    )
    hits = []
    for result in results:
        question = result.question
        answers = question.answer_count
        badges = []
        if question.hidden_at:
            badges.append(("Hidden", "warning"))
        if question.accepted_answer_id:
            badges.append(("Answered", "success"))
        hits.append(
            search.Hit(
                label="Question",
                title=question.title,
                url=question.get_absolute_url(),
                snippet=result.snippet,
                where="In an answer" if result.in_answer else "",
                meta=f"{question.category.name} · {answers} answer{'s' if answers != 1 else ''}"
                f" · asked by {question.author.name}, {date_format(question.created_at, 'j M Y')}",
                tags=search.tags_marked(result.tags, query),
                badges=badges,
                item=question,
            )
        )
    capped = total > selectors.SEARCH_COUNT_MAX
    return search.KindPage(hits=hits, total=min(total, selectors.SEARCH_COUNT_MAX), capped=capped)


def register() -> None:
    search.register(
        search.Provider(
            kind="questions", label="Questions", order=10, search=question_hits, overview=5
        )
    )
