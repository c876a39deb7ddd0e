"""Every write to the guide. Views, commands (and, later, the APIs) call these.

Refusals raise Django's own exceptions, as in every app: `PermissionDenied(message)` and
`ValidationError` with per-field messages. Live events and hooks run on commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Value
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from discussions import events as forum_events
from discussions.models import Answer, Category, Question
from guides import events, permissions
from guides.models import (
    NOTE_MAX,
    EditProposal,
    Guide,
    HelpfulVote,
    LinkKind,
    ProposalState,
    RevisionKind,
    Section,
    SectionQuestion,
    SectionReview,
    SectionRevision,
    SectionSearch,
)
from guides.rules import versions_parse
from hub import hooks
from hub.markdown import render_markdown
from hub.services import after_commit, clean, require
from notifications.models import Kind
from notifications.services import notify


def _note(raw: str, *, field: str = "note", required: bool = False, what: str = "a note") -> str:
    text = " ".join((raw or "").split())
    if required and not text:
        raise ValidationError({field: f"Give {what}."})
    if len(text) > NOTE_MAX:
        raise ValidationError({field: f"At most {NOTE_MAX} characters, please."})
    return text


def _render_into(section: Section) -> None:
    rendered = render_markdown(section.body)
    section.body_html = rendered.html
    section.body_text = rendered.text


def _search_index(section: Section) -> None:
    if connection.vendor != "postgresql":
        return
    vector = SearchVector(Value(section.title), weight="A", config="english") + SearchVector(
        Value(section.body_text), weight="B", config="english"
    )
    SectionSearch.objects.update_or_create(
        section_id=section.pk, defaults={"search_vector": vector}
    )


def _revision_add(
    section: Section,
    *,
    editor: User,
    kind: str,
    note: str,
    credited: User | None = None,
) -> SectionRevision:
    last = section.revisions.aggregate(n=Max("number"))["n"] or 0
    revision = SectionRevision.objects.create(
        section=section,
        number=last + 1,
        kind=kind,
        editor=editor,
        credited=credited,
        title=section.title,
        body=section.body,
        versions=section.versions,
        note=note,
        created_at=section.updated_at,
    )
    Section.objects.filter(pk=section.pk).update(revision_count=last + 1)
    section.revision_count = last + 1
    return revision


def _anchor_for(guide: Guide, title: str, anchor: str = "") -> str:
    base = slugify(anchor or title)[:70] or "section"
    taken = set(guide.sections.filter(anchor__startswith=base).values_list("anchor", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _touch_guide(guide_id: int) -> None:
    Guide.objects.filter(pk=guide_id).update(updated_at=timezone.now())


# --- Guides ----------------------------------------------------------------------------


@transaction.atomic
def guide_ensure(
    *,
    category: Category | None = None,
    slug: str = "",
    title: str = "",
    summary: str = "",
    position: int | None = None,
) -> Guide:
    """The guide of a program topic (its category), or of a theme without one (`slug`),
    created or brought up to date (idempotent)."""
    if category is None and not slug:
        raise ValueError("A guide needs a category or a slug.")
    slug = slug or category.slug
    defaults = {
        "category": category,
        "title": title or (category.name if category else slug.replace("-", " ").title()),
        "summary": summary or (category.description if category else ""),
        "position": position if position is not None else (category.position if category else 0),
    }
    guide, _ = Guide.objects.update_or_create(slug=slug, defaults=defaults)
    return guide


# --- Sections: mentors write and edit directly ------------------------------------------


@transaction.atomic
def section_create(
    *,
    editor: User,
    guide: Guide,
    title: str,
    body: str,
    versions: str | Iterable[str] = (),
    note: str = "",
    anchor: str = "",
    position: int | None = None,
    credited: User | None = None,
    kind: str = RevisionKind.CREATED,
) -> Section:
    require(permissions.can_edit(editor), "Only mentors write guide sections.")
    now = timezone.now()
    if position is None:
        last = guide.sections.aggregate(n=Max("position"))["n"]
        position = 0 if last is None else last + 1
    section = Section(
        guide=guide,
        position=position,
        title=" ".join(title.split()),
        anchor=_anchor_for(guide, title, anchor),
        body=body,
        versions=versions_parse(versions),
        created_at=now,
        updated_at=now,
        updated_by=editor,
    )
    _render_into(section)
    clean(section, exclude=["guide", "updated_by"])
    section.save()
    _revision_add(section, editor=editor, kind=kind, note=_note(note), credited=credited)
    _search_index(section)
    _touch_guide(guide.pk)
    after_commit(events.section_published, section.pk, created=True)
    return section


def _apply(
    section: Section,
    *,
    editor: User,
    title: str,
    body: str,
    versions: str | Iterable[str] | None,
    note: str,
    kind: str,
    credited: User | None = None,
) -> SectionRevision:
    title = " ".join(title.split())
    parsed = section.versions if versions is None else versions_parse(versions)
    if title == section.title and body == section.body and parsed == section.versions:
        raise ValidationError({"body": "Nothing changed."})
    section.title, section.body, section.versions = title, body, parsed
    section.updated_at = timezone.now()
    section.updated_by = editor
    _render_into(section)
    clean(section, exclude=["guide", "updated_by"])
    section.save()
    revision = _revision_add(section, editor=editor, kind=kind, note=note, credited=credited)
    _search_index(section)
    _touch_guide(section.guide_id)
    after_commit(events.section_published, section.pk)
    return revision


@transaction.atomic
def section_edit(
    *,
    editor: User,
    section: Section,
    title: str,
    body: str,
    versions: str | Iterable[str] | None = None,
    note: str = "",
) -> Section:
    """A mentor's direct edit: published at once, as a new revision."""
    require(permissions.can_edit(editor), "Only mentors edit the guide directly; propose an edit.")
    section = Section.objects.select_for_update().get(pk=section.pk)
    _apply(
        section,
        editor=editor,
        title=title,
        body=body,
        versions=versions,
        note=_note(note),
        kind=RevisionKind.EDITED,
    )
    return section


@transaction.atomic
def section_revert(
    *, editor: User, section: Section, revision: SectionRevision, note: str = ""
) -> Section:
    """Bring back an earlier revision's words, as a new revision (history only grows)."""
    require(permissions.can_revert(editor), "Only mentors revert guide sections.")
    if revision.section_id != section.pk:
        raise ValidationError({"revision": "That revision belongs to another section."})
    section = Section.objects.select_for_update().get(pk=section.pk)
    note = _note(note) or f"Reverted to revision {revision.number}."
    _apply(
        section,
        editor=editor,
        title=revision.title,
        body=revision.body,
        versions=revision.versions,
        note=note,
        kind=RevisionKind.REVERTED,
    )
    return section


@transaction.atomic
def section_review(*, reviewer: User, section: Section, note: str = "") -> SectionReview:
    """A mentor vouches for the section as it stands: "last reviewed by … on …"."""
    require(permissions.can_review(reviewer), "Only mentors review guide sections.")
    now = timezone.now()
    review = SectionReview.objects.create(
        section=section,
        reviewer=reviewer,
        note=_note(note),
        revision_number=section.revision_count,
        created_at=now,
    )
    Section.objects.filter(pk=section.pk).update(last_reviewed_at=now, last_reviewed_by=reviewer)
    section.last_reviewed_at, section.last_reviewed_by = now, reviewer
    after_commit(events.section_reviewed, section.pk)
    after_commit(hooks.emit, "guide.queue_changed")
    return review


# --- Proposed edits: learners propose, mentors decide --------------------------------------


@transaction.atomic
def proposal_create(
    *, proposer: User, section: Section, title: str, body: str, note: str
) -> EditProposal:
    require(permissions.can_propose(proposer), permissions.write_refusal(proposer))
    title = " ".join(title.split())
    if title == section.title and body == section.body:
        raise ValidationError({"body": "Change something before proposing the edit."})
    proposal = EditProposal(
        section=section,
        proposer=proposer,
        title=title,
        body=body,
        note=_note(note, required=True, what="a note saying what you changed and why"),
        base_revision=section.revision_count,
    )
    clean(proposal, exclude=["section", "proposer", "decided_by"])
    proposal.save()
    after_commit(hooks.emit, "guide.queue_changed")
    return proposal


def _open_proposal(proposal: EditProposal) -> EditProposal:
    proposal = (
        EditProposal.objects.select_for_update().select_related("section").get(pk=proposal.pk)
    )
    require(proposal.state == ProposalState.OPEN, "That proposal was already decided.")
    return proposal


def _tell(user: User, *, actor: User, key: str, title: str, url: str) -> None:
    notify(
        recipients=[user],
        kind=Kind.GUIDE,
        actor=actor,
        target_key=key,
        target_title=title[:200],
        url=url,
    )


@transaction.atomic
def proposal_accept(*, mentor: User, proposal: EditProposal, note: str = "") -> EditProposal:
    """Publish the proposed text as a new revision credited to its proposer, and tell them."""
    require(
        permissions.can_decide_proposal(mentor, proposal), "Only mentors accept proposed edits."
    )
    proposal = _open_proposal(proposal)
    section = (
        Section.objects.select_for_update().select_related("guide").get(pk=proposal.section_id)
    )
    _apply(
        section,
        editor=mentor,
        title=proposal.title,
        body=proposal.body,
        versions=None,
        note=_note(note) or proposal.note,
        kind=RevisionKind.PROPOSAL,
        credited=proposal.proposer,
    )
    proposal.state = ProposalState.ACCEPTED
    proposal.decided_by, proposal.decided_at = mentor, timezone.now()
    proposal.save(update_fields=["state", "decided_by", "decided_at"])
    _tell(
        proposal.proposer,
        actor=mentor,
        key=f"proposal:{proposal.pk}",
        title=f"Your edit to “{section.title}” was accepted and published",
        url=section.get_absolute_url(),
    )
    after_commit(hooks.emit, "guide.queue_changed")
    return proposal


@transaction.atomic
def proposal_decline(*, mentor: User, proposal: EditProposal, reason: str) -> EditProposal:
    require(
        permissions.can_decide_proposal(mentor, proposal), "Only mentors decline proposed edits."
    )
    reason = _note(reason, field="reason", required=True, what="a reason")
    proposal = _open_proposal(proposal)
    proposal.state = ProposalState.DECLINED
    proposal.decided_by, proposal.decided_at = mentor, timezone.now()
    proposal.decline_reason = reason
    proposal.save(update_fields=["state", "decided_by", "decided_at", "decline_reason"])
    _tell(
        proposal.proposer,
        actor=mentor,
        key=f"proposal:{proposal.pk}",
        title=f"Your edit to “{proposal.section.title}” was declined: {reason}",
        url=proposal.get_absolute_url(),
    )
    after_commit(hooks.emit, "guide.queue_changed")
    return proposal


# --- "Was this helpful?" ----------------------------------------------------------------


@transaction.atomic
def helpful_vote(*, user: User, section: Section, helpful: bool, note: str = "") -> HelpfulVote:
    """One answer per person per section (a second one replaces the first); a "no" with a
    note waits in the mentors' queue."""
    require(permissions.can_vote_helpful(user), permissions.write_refusal(user))
    note = _note(note) if not helpful else ""
    previous = HelpfulVote.objects.select_for_update().filter(section=section, user=user).first()
    if previous is not None:
        if previous.helpful == helpful and previous.note == note:
            return previous
        column = "helpful_yes" if previous.helpful else "helpful_no"
        Section.objects.filter(pk=section.pk).update(**{column: F(column) - 1})
        previous.delete()
    vote = HelpfulVote.objects.create(section=section, user=user, helpful=helpful, note=note)
    column = "helpful_yes" if helpful else "helpful_no"
    Section.objects.filter(pk=section.pk).update(**{column: F(column) + 1})
    if not helpful and note:
        after_commit(hooks.emit, "guide.queue_changed")
    return vote


@transaction.atomic
def helpful_feedback_handle(*, mentor: User, vote: HelpfulVote) -> HelpfulVote:
    require(permissions.can_resolve_feedback(mentor), "Only mentors handle guide feedback.")
    require(vote.handled_at is None, "Already handled.")
    vote.handled_by, vote.handled_at = mentor, timezone.now()
    vote.save(update_fields=["handled_by", "handled_at"])
    after_commit(hooks.emit, "guide.queue_changed")
    return vote


# --- Q&A and the guide, both ways ----------------------------------------------------------


@transaction.atomic
def answer_promote(
    *,
    mentor: User,
    answer: Answer,
    body: str,
    section: Section | None = None,
    guide: Guide | None = None,
    title: str = "",
    note: str = "",
) -> Section:
    """Add an accepted answer to the guide: `body` (the answer as the mentor edited it)
    is appended to `section`, or starts a new section titled `title` in `guide`. The
    section keeps the thread and credits the answer's author; the thread says so."""
    answer = Answer.objects.select_related("question", "author").get(pk=answer.pk)
    require(
        permissions.can_promote_answer(mentor, answer),
        "Only mentors add answers to the guide, and only an accepted answer.",
    )
    if not body.strip():
        raise ValidationError({"body": "Write what the guide should say."})
    question = answer.question
    note = _note(note) or f"Added from @{answer.author.handle}'s answer to “{question.title}”."
    if section is not None:
        if SectionQuestion.objects.filter(section=section, answer=answer).exists():
            raise ValidationError({"section": "This answer is already part of that section."})
        section = Section.objects.select_for_update().select_related("guide").get(pk=section.pk)
        joined = f"{section.body.rstrip()}\n\n{body.strip()}\n"
        _apply(
            section,
            editor=mentor,
            title=section.title,
            body=joined,
            versions=None,
            note=note,
            kind=RevisionKind.PROMOTED,
            credited=answer.author,
        )
    else:
        if guide is None:
            raise ValidationError({"section": "Choose a section, or a guide for a new one."})
        section = section_create(
            editor=mentor,
            guide=guide,
            title=title or question.title,
            body=body.strip() + "\n",
            note=note,
            credited=answer.author,
            kind=RevisionKind.PROMOTED,
        )
    try:
        with transaction.atomic():
            SectionQuestion.objects.create(
                section=section,
                question=question,
                answer=answer,
                kind=LinkKind.PROMOTED,
                added_by=mentor,
            )
    except IntegrityError as error:
        raise ValidationError(
            {"section": "This answer is already part of that section."}
        ) from error
    _tell(
        answer.author,
        actor=mentor,
        key=f"answer:{answer.pk}:guide",
        title=f"Your answer is now part of the guide: {section.title}",
        url=section.get_absolute_url(),
    )
    after_commit(forum_events.thread_stale, question.pk)
    return section


@transaction.atomic
def question_close_in_guide(
    *, mentor: User, question: Question, section: Section, reason: str = ""
) -> SectionQuestion:
    """Like a duplicate: the thread points at the guide section that answers it, the
    asker is told, and the moderation log records it (through the hook it subscribes)."""
    require(
        permissions.can_close_in_guide(mentor, question),
        "Only mentors close questions as answered in the guide.",
    )
    reason = _note(reason, field="reason")
    existing = SectionQuestion.objects.filter(question=question, kind=LinkKind.ANSWERED).first()
    if existing is not None:
        require(existing.section_id != section.pk, "It is already closed as answered there.")
        existing.delete()
    link = SectionQuestion.objects.create(
        section=section, question=question, kind=LinkKind.ANSWERED, added_by=mentor
    )
    hooks.emit(
        "guide.question_closed",
        actor=mentor,
        question=question,
        section=section,
        reason=reason,
    )
    after_commit(forum_events.thread_stale, question.pk)
    return link


@transaction.atomic
def question_reopen_from_guide(*, mentor: User, question: Question) -> None:
    require(
        permissions.can_close_in_guide(mentor, question),
        "Only mentors reopen questions closed as answered in the guide.",
    )
    link = SectionQuestion.objects.filter(question=question, kind=LinkKind.ANSWERED).first()
    require(link is not None, "It is not closed as answered in the guide.")
    section = link.section
    link.delete()
    hooks.emit("guide.question_reopened", actor=mentor, question=question, section=section)
    after_commit(forum_events.thread_stale, question.pk)


# --- Loading the written guide (an operator's command and the demo) ----------------------

LOADER_NOTES = ("Written for the Nexus guide.", "Updated from the Nexus guide's text.")


@transaction.atomic
def guides_load(
    *, editor: User, guides: Iterable[Any] | None = None, update: bool = False
) -> dict[str, int]:
    """Load the guide's written articles (guides/content.py) through the services above:
    guides are created or brought up to date; a section is added when its anchor is new.
    An existing section is left alone, unless `update` and nobody but `editor` has
    changed it since (a mentor's edit always wins). Idempotent; returns counts."""
    from guides.content import GUIDES

    require(permissions.can_edit(editor), "Load the guide as a mentor or an admin.")
    counts = {"guides": 0, "created": 0, "updated": 0, "unchanged": 0}
    for text in GUIDES if guides is None else guides:
        category = Category.objects.filter(slug=text.category).first() if text.category else None
        guide = guide_ensure(
            category=category,
            slug=text.slug,
            title=text.title,
            summary=text.summary,
            position=category.position if category else text.position,
        )
        counts["guides"] += 1
        existing = {s.anchor: s for s in guide.sections.all()}
        for position, section_text in enumerate(text.sections):
            anchor = slugify(section_text.anchor or section_text.title)[:70]
            section = existing.get(anchor)
            if section is None:
                section_create(
                    editor=editor,
                    guide=guide,
                    title=section_text.title,
                    body=section_text.body,
                    versions=section_text.versions,
                    anchor=anchor,
                    position=position,
                    note=LOADER_NOTES[0],
                )
                counts["created"] += 1
                continue
            # Anything but the loader's own revisions (a mentor's edit, an accepted
            # proposal, an answer added, even the loader's account editing by hand) wins.
            edited_by_others = (
                section.revisions.exclude(editor=editor).exists()
                or section.revisions.exclude(note__in=LOADER_NOTES).exists()
            )
            same = (
                section.body == section_text.body
                and section.title == section_text.title
                and section.versions == list(section_text.versions)
            )
            if update and not edited_by_others and not same:
                section_edit(
                    editor=editor,
                    section=section,
                    title=section_text.title,
                    body=section_text.body,
                    versions=section_text.versions,
                    note=LOADER_NOTES[1],
                )
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts
