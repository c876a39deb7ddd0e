"""Reads shaped for the guide's pages: fixed query counts whatever the number of
sections (the tests pin them)."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.safestring import SafeString

from discussions.selectors import questions_visible_to
from guides.models import (
    EditProposal,
    Guide,
    HelpfulVote,
    LinkKind,
    ProposalState,
    Section,
    SectionQuestion,
    SectionRevision,
    SectionSearch,
)
from guides.permissions import can_decide_proposal
from guides.rules import section_staleness
from hub import search as site_search

WORD_RE = site_search.WORD_RE
RECENT_CHANGES = 8
LED_HERE_MAX = 5


# --- The index --------------------------------------------------------------------------


def guide_index() -> dict[str, Any]:
    """Every topic with its sections' titles, and what changed recently: 2 queries."""
    guides = list(
        Guide.objects.prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.only("pk", "guide_id", "title", "anchor", "position"),
            )
        )
    )
    slugs = {g.pk: g.slug for g in guides}
    recent = list(
        SectionRevision.objects.select_related("editor", "credited")
        .annotate(
            section_title=F("section__title"),
            section_anchor=F("section__anchor"),
            guide_id=F("section__guide_id"),
        )
        .defer("body")
        .order_by("-created_at", "-pk")[:RECENT_CHANGES]
    )
    for revision in recent:
        revision.url = f"/guide/{slugs.get(revision.guide_id, '')}/#{revision.section_anchor}"
    return {"guides": guides, "recent": recent}


# --- An article -------------------------------------------------------------------------


@dataclass
class Article:
    guide: Guide
    sections: list[Section]
    previous: Guide | None
    next: Guide | None
    votes: dict[int, HelpfulVote] = field(default_factory=dict)


def guide_get(*, slug: str) -> Guide | None:
    return Guide.objects.filter(slug=slug).first()


def guide_list() -> list[Guide]:
    """Every guide, in the index's order: 1 query."""
    return list(Guide.objects.all())


def guides_get_many(*, pks: list[int]) -> dict[int, Guide]:
    return {g.pk: g for g in Guide.objects.filter(pk__in=pks)}


def _decorate(sections: list[Section], now: datetime) -> None:
    for section in sections:
        section.staleness = section_staleness(section, now)


def _led_here(section_ids: list[int]) -> dict[int, list[SectionQuestion]]:
    """Questions that led to each section (visible ones only), newest first; one query."""
    links = (
        SectionQuestion.objects.filter(
            section_id__in=section_ids,
            question__in=questions_visible_to(None),
        )
        .select_related("question")
        .only(
            "section_id",
            "kind",
            "answer_id",
            "created_at",
            "question__id",
            "question__title",
            "question__answer_count",
        )
        .order_by("-created_at", "-pk")
    )
    by_section: dict[int, list[SectionQuestion]] = defaultdict(list)
    for link in links:
        if len(by_section[link.section_id]) < LED_HERE_MAX:
            by_section[link.section_id].append(link)
    return by_section


def guide_article(*, guide: Guide, viewer: Any) -> Article:
    """The article page: its sections (with reviewer and editor), the questions that led
    to each, the neighbours for previous / next, and the viewer's helpful votes."""
    sections = list(
        guide.sections.select_related("last_reviewed_by", "updated_by").order_by("position", "pk")
    )
    _decorate(sections, timezone.now())
    led = _led_here([s.pk for s in sections])
    for section in sections:
        section.guide = guide
        section.led_here = led.get(section.pk, [])
    order = list(Guide.objects.only("pk", "slug", "title", "position"))
    index = next((i for i, g in enumerate(order) if g.pk == guide.pk), 0)
    votes: dict[int, HelpfulVote] = {}
    if viewer is not None and viewer.is_authenticated and sections:
        votes = {
            v.section_id: v for v in HelpfulVote.objects.filter(user=viewer, section__guide=guide)
        }
    for section in sections:
        section.viewer_vote = votes.get(section.pk)
    return Article(
        guide=guide,
        sections=sections,
        previous=order[index - 1] if index > 0 else None,
        next=order[index + 1] if index + 1 < len(order) else None,
        votes=votes,
    )


def section_get(*, pk: int) -> Section | None:
    return Section.objects.select_related("guide").filter(pk=pk).first()


def _full_sections(sections: Any) -> list[Section]:
    """Sections as the article shows them: editor, reviewer, staleness, the questions
    that led there (one query for all of them)."""
    rows = list(
        sections.select_related("guide", "last_reviewed_by", "updated_by").order_by(
            "guide__position", "guide__title", "guide_id", "position", "pk"
        )
    )
    _decorate(rows, timezone.now())
    led = _led_here([s.pk for s in rows])
    for section in rows:
        section.led_here = led.get(section.pk, [])
    return rows


def sections_for_guides(*, guide_ids: list[int]) -> dict[int, list[Section]]:
    """Every section of these guides, in order, as the article shows them: 2 queries
    whatever the number of guides and sections (the APIs' nested lists)."""
    by_guide: dict[int, list[Section]] = defaultdict(list)
    for section in _full_sections(Section.objects.filter(guide_id__in=guide_ids)):
        by_guide[section.guide_id].append(section)
    return by_guide


def sections_get_many(*, pks: list[int]) -> dict[int, Section]:
    """Sections by id, as the article shows them (the guide is public): 2 queries."""
    return {s.pk: s for s in _full_sections(Section.objects.filter(pk__in=pks))}


def helpful_votes_of(*, user: Any, section_ids: list[int]) -> dict[int, HelpfulVote]:
    """The person's "was this helpful?" answers on these sections: 1 query (none when
    anonymous)."""
    if user is None or not user.is_authenticated or not section_ids:
        return {}
    votes = HelpfulVote.objects.filter(user=user, section_id__in=section_ids)
    return {v.section_id: v for v in votes}


def section_for_live(section_id: int) -> Section | None:
    section = (
        Section.objects.select_related("guide", "last_reviewed_by", "updated_by")
        .filter(pk=section_id)
        .first()
    )
    if section is None:
        return None
    _decorate([section], timezone.now())
    section.led_here = _led_here([section.pk]).get(section.pk, [])
    return section


def sections_changed_since(*, guide_id: int, since: datetime) -> list[Section]:
    sections = list(
        Section.objects.select_related("guide", "last_reviewed_by", "updated_by").filter(
            Q(updated_at__gt=since) | Q(last_reviewed_at__gt=since), guide_id=guide_id
        )
    )
    _decorate(sections, timezone.now())
    led = _led_here([s.pk for s in sections])
    for section in sections:
        section.led_here = led.get(section.pk, [])
    return sections


def section_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Sections grouped by guide, for "add to the guide" and "answered in the guide"."""
    grouped: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, title, guide_title in Section.objects.order_by(
        "guide__position", "guide__title", "position", "pk"
    ).values_list("pk", "title", "guide__title"):
        grouped[guide_title].append((pk, title))
    return list(grouped.items())


# --- Revisions and diffs ----------------------------------------------------------------


@dataclass
class RevisionView:
    revision: SectionRevision
    # (sign, line): "+" added, "-" removed, " " unchanged, against the revision before.
    diff: list[tuple[str, str]]

    @property
    def added(self) -> int:
        return sum(1 for sign, _ in self.diff if sign == "+")

    @property
    def removed(self) -> int:
        return sum(1 for sign, _ in self.diff if sign == "-")


def _text(title: str, body: str, versions: list[str]) -> str:
    head = f"# {title}"
    if versions:
        head += f"\n(for {', '.join(versions)})"
    return f"{head}\n\n{body}"


def text_diff(before: str, after: str, *, context: int = 3) -> list[tuple[str, str]]:
    """A line diff (difflib) with `context` unchanged lines around each change; "…" rows
    mark the unchanged stretches left out."""
    rows: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if rows:
            rows.append(("…", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend((" ", line) for line in matcher.a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                rows.extend(("-", line) for line in matcher.a[i1:i2])
            if tag in ("replace", "insert"):
                rows.extend(("+", line) for line in matcher.b[j1:j2])
    return rows


def section_revisions(*, section: Section) -> list[RevisionView]:
    """Every revision, newest first, each with its diff against the one before: 1 query."""
    return revisions_for_sections(section_ids=[section.pk]).get(section.pk, [])


def revisions_for_sections(*, section_ids: list[int]) -> dict[int, list[RevisionView]]:
    """Every revision of each section, newest first, each with its diff against the one
    before: 1 query for all of them."""
    revisions = SectionRevision.objects.filter(section_id__in=section_ids).select_related(
        "editor", "credited"
    )
    by_section: dict[int, list[SectionRevision]] = defaultdict(list)
    for revision in revisions.order_by("section_id", "number"):
        by_section[revision.section_id].append(revision)
    views: dict[int, list[RevisionView]] = {}
    for section_id, rows in by_section.items():
        previous = ""
        history = []
        for revision in rows:
            text = _text(revision.title, revision.body, revision.versions)
            history.append(RevisionView(revision=revision, diff=text_diff(previous, text)))
            previous = text
        views[section_id] = list(reversed(history))
    return views


def proposal_diff(*, proposal: EditProposal) -> list[tuple[str, str]]:
    """The proposal against the section as it is now (what accepting would change)."""
    section = proposal.section
    return text_diff(
        _text(section.title, section.body, section.versions),
        _text(proposal.title, proposal.body, section.versions),
    )


def proposals_get_many(*, pks: list[int]) -> dict[int, EditProposal]:
    """Proposed edits by id, whole (their text, for diffs), with proposer and decider:
    1 query. Who may see them is the door's check."""
    rows = EditProposal.objects.filter(pk__in=pks).select_related("proposer", "decided_by")
    return {p.pk: p for p in rows}


def proposal_get(*, pk: int) -> EditProposal | None:
    return (
        EditProposal.objects.select_related("section__guide", "proposer", "decided_by")
        .filter(pk=pk)
        .first()
    )


def proposal_get_for_viewer(*, pk: int, viewer: Any) -> EditProposal | None:
    """A proposed edit as `viewer` may see it: its proposer's and the mentors', nobody
    else's (None: the doors answer 404, its page and its accept / decline alike)."""
    proposal = proposal_get(pk=pk)
    if proposal is None or not (
        (viewer.is_authenticated and proposal.proposer_id == viewer.pk)
        or can_decide_proposal(viewer, proposal)
    ):
        return None
    return proposal


# --- The mentors' queue -----------------------------------------------------------------


@dataclass
class GuideQueue:
    proposals: list[EditProposal]
    feedback: list[HelpfulVote]
    due: list[Section]

    @property
    def count(self) -> int:
        return len(self.proposals) + len(self.feedback) + len(self.due)


def sections_due_for_review(*, now: datetime | None = None, limit: int = 50) -> list[Section]:
    """Not reviewed for the review period, or written for versions behind the program's.
    The version rule needs each section's list, so it is applied here in Python over the
    narrow (id, dates, versions) rows: a guide has hundreds of sections, not millions."""
    now = now or timezone.now()
    rows = list(
        Section.objects.select_related("guide", "last_reviewed_by")
        .defer("body", "body_html", "body_text")
        .order_by(F("last_reviewed_at").asc(nulls_first=True), "created_at", "pk")
    )
    _decorate(rows, now)
    return [s for s in rows if s.staleness.is_stale][:limit]


def guide_queue(*, now: datetime | None = None) -> GuideQueue:
    """What the guide asks of mentors: open proposals, "not helpful" notes, due reviews."""
    proposals = list(
        EditProposal.objects.filter(state=ProposalState.OPEN)
        .select_related("section__guide", "proposer")
        .defer("body", "section__body", "section__body_html", "section__body_text")
        .order_by("created_at", "pk")[:50]
    )
    feedback = list(
        HelpfulVote.objects.filter(helpful=False, handled_at__isnull=True)
        .exclude(note="")
        .select_related("section__guide", "user")
        .defer("section__body", "section__body_html", "section__body_text")
        .order_by("created_at", "pk")[:50]
    )
    return GuideQueue(proposals=proposals, feedback=feedback, due=sections_due_for_review(now=now))


def guide_queue_count() -> int:
    """The guide tab's count, in three narrow queries."""
    proposals = EditProposal.objects.filter(state=ProposalState.OPEN).count()
    feedback = (
        HelpfulVote.objects.filter(helpful=False, handled_at__isnull=True).exclude(note="").count()
    )
    rows = list(Section.objects.only("pk", "created_at", "last_reviewed_at", "versions"))
    now = timezone.now()
    due = sum(1 for s in rows if section_staleness(s, now).is_stale)
    return proposals + feedback + due


# --- Search and suggestions ---------------------------------------------------------------


@dataclass
class SectionHit:
    section: Section
    snippet: SafeString


def section_search_page(
    *, query: site_search.ParsedQuery, offset: int = 0, limit: int = 5
) -> tuple[list[SectionHit], int]:
    """Sections a parsed query finds, ranked like questions (PostgreSQL full text, title
    first, highlighted; LIKE on SQLite), and how many: three queries (count, ids, rows).
    Sections have no tags: a tag: filter finds none."""
    if not query.terms or query.tags:
        return [], 0
    sections = Section.objects.all()
    postgres = connection.vendor == "postgresql"
    if postgres:
        search = SearchQuery(query.websearch, search_type="websearch", config="english")
        found = SectionSearch.objects.filter(search_vector=search)
        total = found.count()
        ranked = found.annotate(
            title_rank=SearchRank(F("search_vector"), search, weights=[0.0, 0.0, 0.0, 1.0]),
            rank=SearchRank(F("search_vector"), search),
        ).order_by("-title_rank", "-rank", "-section_id")
        if not limit or not total:
            return [], total
        ids = list(ranked.values_list("section_id", flat=True)[offset : offset + limit])
    else:
        matches = Q()
        for term in query.terms:
            matches &= Q(title__icontains=term.text) | Q(body_text__icontains=term.text)
        for term in query.excluded:
            matches &= ~(Q(title__icontains=term.text) | Q(body_text__icontains=term.text))
        found = sections.filter(matches)
        total = found.count()
        if not limit or not total:
            return [], total
        ids = list(
            found.order_by("guide__position", "position", "pk").values_list("pk", flat=True)[
                offset : offset + limit
            ]
        )
    rows = sections.filter(pk__in=ids).select_related("guide").defer("body_html", "body")
    if postgres:
        rows = rows.annotate(
            headline=SearchHeadline(
                "body_text",
                search,
                config="english",
                start_sel=site_search.MARK_START,
                stop_sel=site_search.MARK_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
            )
        )
    by_id = {s.pk: s for s in rows}
    return [
        SectionHit(
            section=by_id[pk],
            snippet=site_search.marked(by_id[pk].headline)
            if postgres
            else site_search.highlight(by_id[pk].body_text, query.needles),
        )
        for pk in ids
        if pk in by_id
    ], total


def _excerpt(text: str, length: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


def section_similar(*, title: str, limit: int = 3) -> list[Section]:
    """Guide sections that look like a question title being typed."""
    words = [w for w in WORD_RE.findall(title.lower()) if len(w) > 2][:12]
    if not words:
        return []
    sections = Section.objects.select_related("guide").only(
        "pk", "title", "anchor", "guide__slug", "guide__title"
    )
    if connection.vendor == "postgresql":
        search = SearchQuery(" or ".join(words), search_type="websearch", config="english")
        ranked = list(
            SectionSearch.objects.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search, weights=[0.0, 0.0, 0.2, 1.0]))
            .order_by("-rank", "-section_id")
            .values_list("section_id", flat=True)[:limit]
        )
        by_id = {s.pk: s for s in sections.filter(pk__in=ranked)}
        return [by_id[pk] for pk in ranked if pk in by_id]
    longest = sorted(words, key=len, reverse=True)[:3]
    matches = Q()
    for word in longest:
        matches |= Q(title__icontains=word)
    return list(sections.filter(matches).order_by("guide__position", "position", "pk")[:limit])


# --- The thread page ------------------------------------------------------------------------


def thread_links(*, question_id: int) -> list[SectionQuestion]:
    """The guide links of one thread (promoted answers, "answered in the guide"): 1 query."""
    return list(
        SectionQuestion.objects.filter(question_id=question_id)
        .select_related("section__guide")
        .only(
            "kind",
            "answer_id",
            "question_id",
            "section__id",
            "section__title",
            "section__anchor",
            "section__guide__slug",
            "section__guide__title",
        )
    )


def answered_in_guide(*, question_id: int) -> SectionQuestion | None:
    return next(
        (link for link in thread_links(question_id=question_id) if link.kind == LinkKind.ANSWERED),
        None,
    )
