"""Moderation's live events.

Topics (mentors only; `authorize` refuses everyone else at connect):
    moderation        the mentors' queue: any flag, claim, resolution or call for a mentor
                      sends a "stale" hint, and each open queue fetches its own view
    notes:<id>        mentor notes on question <id>, pushed to mentors' open threads
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html

from hub import live

QUEUE_TOPIC = "moderation"


def notes_topic(question_id: int) -> str:
    return f"notes:{question_id}"


def _is_mentor(user: Any) -> bool:
    from moderation.permissions import can_view_queue

    return can_view_queue(user)


def _authorize_queue(user: Any, key: str) -> bool:
    return key == "" and _is_mentor(user)


def _authorize_notes(user: Any, key: str) -> bool:
    from discussions.models import Question

    return _is_mentor(user) and Question.objects.filter(pk=int(key), is_deleted=False).exists()


def _catch_up_queue(request: HttpRequest, key: str, since: Any) -> str:
    from moderation.selectors import queue_page, queue_tab

    tab = queue_tab(None, request.headers.get("HX-Current-URL", ""))
    context = queue_page(viewer=request.user, tab=tab, oob=True)
    return render_to_string("moderation/queue.html#live-sections", context, request=request)


def _catch_up_notes(request: HttpRequest, key: str, since: Any) -> str:
    from moderation.selectors import mentor_notes

    notes = mentor_notes(viewer=request.user, question_id=int(key))
    return render_to_string(
        "moderation/includes/mentor_notes.html#note-list",
        {"notes": notes, "question_id": int(key), "oob": True},
        request=request,
    )


def register_topics() -> None:
    live.register(
        live.Topic(
            "moderation",
            group=lambda key: "moderation.queue",
            authorize=_authorize_queue,
            catch_up=_catch_up_queue,
        )
    )
    live.register(
        live.Topic(
            "notes",
            group=lambda key: f"moderation.notes.{int(key)}",
            authorize=_authorize_notes,
            catch_up=_catch_up_notes,
        )
    )


def queue_changed() -> None:
    live.publish(
        QUEUE_TOPIC,
        format_html(
            '<template id="live-stale" data-topic="{}" data-at="{}" hx-swap-oob="true"></template>',
            QUEUE_TOPIC,
            live.now_iso(),
        ),
    )


def mentor_note_added(note_id: int) -> None:
    from moderation.models import MentorNote

    note = MentorNote.objects.select_related("author").filter(pk=note_id).first()
    if note is None:
        return
    html = render_to_string(
        "moderation/includes/mentor_notes.html#note-added",
        {"note": note, "question_id": note.question_id, "live_at": live.now_iso()},
    )
    live.publish(notes_topic(note.question_id), html)
