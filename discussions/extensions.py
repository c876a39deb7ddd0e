"""Extension points of the forum's pages, for apps above discussions (the guide).

Discussions never imports those apps: they register here in their `ready()`, as
notifications' digest extras and `hub.live.register` work. Each hook gets the viewer and
what the page already loaded, runs a fixed number of queries whatever the page's size,
and returns rendered, escaped HTML or plain result rows.

    THREAD_EXTRAS   (request, question, answer_ids) -> ThreadExtras
                    a notice under the question, a line per answer (keyed by id: the
                    page's answers may come as ids from its shared copy), mentors' tools;
                    the request is the page's, so forms rendered with it carry its
                    CSRF token (the viewer is request.user)
    SIMILAR_EXTRAS  (title) -> list[ExtraResult]           the ask page's suggestions
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe


@dataclass
class ThreadExtras:
    notice: str = ""
    tools: str = ""
    # answer id -> HTML shown under that answer
    answers: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExtraResult:
    kind: str  # "Guide", shown as a label
    title: str
    url: str
    snippet: SafeString | str = ""
    meta: str = ""


ThreadHook = Callable[[HttpRequest, Any, Sequence[int]], ThreadExtras]
SimilarHook = Callable[[str], list[ExtraResult]]

THREAD_EXTRAS: list[ThreadHook] = []
SIMILAR_EXTRAS: list[SimilarHook] = []


def _add(registry: list, hook: Callable) -> None:
    if hook not in registry:
        registry.append(hook)


def register_thread(hook: ThreadHook) -> None:
    _add(THREAD_EXTRAS, hook)


def register_similar(hook: SimilarHook) -> None:
    _add(SIMILAR_EXTRAS, hook)


def thread_extras(
    *, request: HttpRequest, question: Any, answer_ids: Sequence[int], answers: Sequence[Any] = ()
) -> ThreadExtras:
    """Every registered app's additions to a thread page whose answers are `answer_ids`,
    merged. Each answer row in `answers` (when the page renders them itself) gets
    `extra_html` (empty when nobody adds anything)."""
    merged = ThreadExtras()
    for hook in THREAD_EXTRAS:
        extras = hook(request, question, answer_ids)
        merged.notice += extras.notice
        merged.tools += extras.tools
        for answer_id, html in extras.answers.items():
            merged.answers[answer_id] = merged.answers.get(answer_id, "") + html
    for answer in answers:
        answer.extra_html = mark_safe(merged.answers.get(answer.pk, ""))  # noqa: S308
    merged.notice = mark_safe(merged.notice)  # noqa: S308 - rendered by templates
    merged.tools = mark_safe(merged.tools)  # noqa: S308
    return merged


def similar_extras(*, title: str) -> list[ExtraResult]:
    return [row for hook in SIMILAR_EXTRAS for row in hook(title)]
