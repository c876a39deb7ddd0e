"""Mentor notes on a question and a mentor's saved replies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from discussions.models import Question
from hub.markdown import render_markdown
from hub.services import after_commit, require
from moderation import events
from moderation.models import NOTE_MAX, SAVED_REPLY_MAX, MentorNote, SavedReply
from moderation.services.common import require_moderator

# --- Mentor notes and saved replies ----------------------------------------------------------


@transaction.atomic
def mentor_note_add(*, author: User, question: Question, body: str) -> MentorNote:
    require_moderator(author)
    require(not question.is_deleted, "That question was deleted.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write the note."})
    if len(body) > NOTE_MAX:
        raise ValidationError({"body": f"At most {NOTE_MAX} characters."})
    note = MentorNote.objects.create(
        question=question, author=author, body=body, body_html=render_markdown(body).html
    )
    after_commit(events.mentor_note_added, note.pk)
    return note


def _saved_reply_check(owner: User, title: str, body: str, *, exclude: int | None = None):
    title, body = " ".join((title or "").split()), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give it a short name."
    elif len(title) > 80:
        errors["title"] = "At most 80 characters."
    elif SavedReply.objects.filter(owner=owner, title__iexact=title).exclude(pk=exclude).exists():
        errors["title"] = "You already have a saved reply with that name."
    if not body:
        errors["body"] = "Write the reply."
    elif len(body) > SAVED_REPLY_MAX:
        errors["body"] = f"At most {SAVED_REPLY_MAX} characters."
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def saved_reply_create(*, owner: User, title: str, body: str) -> SavedReply:
    require_moderator(owner)
    title, body = _saved_reply_check(owner, title, body)
    return SavedReply.objects.create(owner=owner, title=title, body=body)


@transaction.atomic
def saved_reply_update(*, owner: User, reply: SavedReply, title: str, body: str) -> SavedReply:
    require_moderator(owner)
    require(reply.owner_id == owner.pk, "That is not one of your saved replies.")
    reply.title, reply.body = _saved_reply_check(owner, title, body, exclude=reply.pk)
    reply.save(update_fields=["title", "body"])
    return reply


@transaction.atomic
def saved_reply_delete(*, owner: User, reply: SavedReply) -> None:
    require_moderator(owner)
    require(reply.owner_id == owner.pk, "That is not one of your saved replies.")
    reply.delete()
