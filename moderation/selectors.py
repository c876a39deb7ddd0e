"""Reads for moderation's pages: mentor notes, saved replies, the queue, its figures and
the log. Every list runs a fixed number of queries whatever its length (tests pin them).
"""

from __future__ import annotations

from base64 import urlsafe_b64decode
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from discussions.models import Question
from guides.selectors import guide_queue, guide_queue_count
from hub import cache
from hub.keyset import cursor_decode, cursor_encode
from moderation.models import (
    Case,
    Flag,
    FlagReason,
    LogEntry,
    MentorNote,
    QuestionClaim,
    SavedReply,
)
from moderation.permissions import can_moderate, can_view_queue
from moderation.services.common import question_id_parse
from moderation.targets import Target, targets_get_many
from projects.selectors import projects_awaiting_review


def mentor_notes(*, viewer: Any, question_id: int) -> list[MentorNote]:
    """A question's mentor notes, oldest first: nothing for anyone but mentors."""
    if not can_view_queue(viewer):
        return []
    return list(
        MentorNote.objects.filter(question_id=question_id)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def saved_replies(*, owner: Any) -> list[SavedReply]:
    if not can_view_queue(owner):
        return []
    return list(SavedReply.objects.filter(owner=owner).order_by("title", "pk"))


def saved_reply_get(*, owner: Any, pk: int) -> SavedReply | None:
    """One of the owner's saved replies (another mentor's is None: it is not theirs)."""
    if not can_view_queue(owner):
        return None
    return SavedReply.objects.filter(owner=owner, pk=pk).first()


def flagged_by(*, viewer: Any, kind: str, object_ids: list[int]) -> set[int]:
    """Which of these posts the viewer has flagged already (to show "Flagged")."""
    if not (viewer and viewer.is_authenticated) or not object_ids:
        return set()
    return set(
        Flag.objects.filter(reporter=viewer, kind=kind, object_id__in=object_ids).values_list(
            "object_id", flat=True
        )
    )


# --- The queue, its figures and the log --------------------------------------------------

QUEUE_LIMIT = 50
LOG_PAGE_SIZE = 30


def duration_human(value: timedelta | None) -> str:
    """`3 d 4 h`, `2 h 5 min`, `12 min`, `under a minute`: a median, read at a glance,
    joined by no-break spaces so a narrow column never wraps it ("17 h 52 / min")."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        text = "under a minute"
    else:
        days, minutes = divmod(minutes, 24 * 60)
        hours, minutes = divmod(minutes, 60)
        if days:
            text = f"{days} d {hours} h" if hours else f"{days} d"
        elif hours:
            text = f"{hours} h {minutes} min" if minutes else f"{hours} h"
        else:
            text = f"{minutes} min"
    return text.replace(" ", "\N{NO-BREAK SPACE}")


# The flags tab -----------------------------------------------------------------------------


@dataclass
class ReasonDetail:
    """What a flagger wrote; for a duplicate, the original question it names (None when
    that question is gone), linked from the question itself, never from the pasted URL."""

    text: str
    original: Question | None = None


@dataclass
class ReasonCount:
    reason: str
    label: str
    count: int
    details: list[ReasonDetail] = field(default_factory=list)


@dataclass
class QueueList:
    """One tab's rows (at most `limit`) and how many there are in all."""

    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


def _open_case_rows() -> QuerySet[Case]:
    return (
        Case.objects.filter(state=Case.State.OPEN)
        .select_related("claimed_by", "target_author")
        .prefetch_related(
            Prefetch(
                "flags",
                queryset=Flag.objects.select_related("reporter").order_by("created_at", "pk"),
            )
        )
        # The partial index case_open_queue: most flagged first, then oldest.
        .order_by("-flag_count", "opened_at", "pk")
    )


def _cases_decorate(cases: list[Case]) -> None:
    """Give each case its reasons with counts, and its target (one query per kind of
    post present, at most five, whatever the number of cases)."""
    labels = dict(FlagReason.choices)
    duplicates: list[ReasonDetail] = []
    for case in cases:
        reasons: dict[str, ReasonCount] = {}
        for flag in case.flags.all():
            row = reasons.setdefault(
                flag.reason, ReasonCount(flag.reason, labels.get(flag.reason, flag.reason), 0)
            )
            row.count += 1
            if flag.detail:
                row.details.append(ReasonDetail(flag.detail))
                if flag.reason == FlagReason.DUPLICATE:
                    duplicates.append(row.details[-1])
        case.reason_counts = sorted(reasons.values(), key=lambda r: (-r.count, r.label))
    _originals_attach(duplicates)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for case in cases:
        by_kind[case.kind].append(case.object_id)
    found: dict[tuple[str, int], Target] = {}
    for kind, ids in by_kind.items():
        for target in targets_get_many(kind, ids, without_text=True):
            found[(kind, target.pk)] = target
    for case in cases:
        case.target = found.get((case.kind, case.object_id))


def _originals_attach(details: list[ReasonDetail]) -> None:
    """The questions that duplicate flags name, in one query (none without such flags)."""
    ids = [question_id_parse(d.text) for d in details]
    if not any(ids):
        return
    found = (
        Question.objects.filter(pk__in={pk for pk in ids if pk}, is_deleted=False, hidden_at=None)
        .only("pk", "title")
        .in_bulk()
    )
    for detail, pk in zip(details, ids, strict=True):
        detail.original = found.get(pk)


def open_cases(*, viewer: Any, limit: int = QUEUE_LIMIT) -> QueueList:
    """The flags tab: one row per flagged post (its open Case) with its flags and their
    reporters, its reasons with counts, the post itself (label, link, hidden or gone) and
    who has taken it; most flagged first, then oldest. Nothing for non-mentors."""
    if not can_view_queue(viewer):
        return QueueList([], 0)
    cases = list(_open_case_rows()[:limit])
    _cases_decorate(cases)
    total = len(cases) if len(cases) < limit else open_case_count()
    return QueueList(cases, total)


def open_case_get(*, viewer: Any, pk: int) -> Case | None:
    """One open case shaped like a row of the flags tab (for an HTMX answer)."""
    if not can_view_queue(viewer):
        return None
    case = _open_case_rows().filter(pk=pk).first()
    if case is not None:
        _cases_decorate([case])
    return case


def open_case_count() -> int:
    return Case.objects.filter(state=Case.State.OPEN).count()


# The needs-a-mentor tab ----------------------------------------------------------------------


def _waiting_rows() -> QuerySet[Question]:
    """Questions no mentor has answered yet: not deleted, and not hidden, locked or
    closed as a duplicate (nothing a mentor should answer there). The partial index
    q_waiting_mentor serves filter and order: asked-for-a-mentor first, oldest request
    first, then oldest question first (ascending puts NULLs last on PostgreSQL, as the
    index stores them; SQLite is told explicitly)."""
    return Question.objects.filter(
        is_deleted=False,
        has_mentor_answer=False,
        hidden_at__isnull=True,
        locked_at__isnull=True,
        duplicate_of__isnull=True,
    ).order_by(F("mentor_requested_at").asc(nulls_last=True), "created_at", "pk")


def _waiting_rows_shaped() -> QuerySet[Question]:
    """What a row shows: the question, its asker and category, and the mentor who took it
    (QuestionClaim, a reverse one-to-one, joined in the same query)."""
    return (
        _waiting_rows()
        .select_related("author", "category", "mentor_claim__mentor")
        .defer(
            "body",
            "body_html",
            "author__password",
            "author__bio",
            "mentor_claim__mentor__password",
            "mentor_claim__mentor__bio",
        )
    )


def waiting_questions(*, viewer: Any, limit: int = QUEUE_LIMIT) -> QueueList:
    """The needs-a-mentor tab, with each question's category, asker and the mentor who
    took it (`claimed_by`, `claimed_at`), capped at `limit` with the total."""
    if not can_view_queue(viewer):
        return QueueList([], 0)
    rows = list(_waiting_rows_shaped()[:limit])
    for question in rows:
        _claim_attach(question)
    total = len(rows) if len(rows) < limit else waiting_count()
    return QueueList(rows, total)


def waiting_question_get(*, viewer: Any, pk: int) -> Question | None:
    """One question shaped like a row of the needs-a-mentor tab (None once a mentor has
    answered it, or if it is not waiting for another reason)."""
    if not can_view_queue(viewer):
        return None
    question = _waiting_rows_shaped().filter(pk=pk).first()
    if question is not None:
        _claim_attach(question)
    return question


def _claim_attach(question: Question) -> None:
    try:
        claim = question.mentor_claim
    except QuestionClaim.DoesNotExist:
        claim = None
    question.claimed_by = claim.mentor if claim else None
    question.claimed_at = claim.claimed_at if claim else None


WAITING_COUNT_CAP = 1000


def waiting_count() -> int:
    """How many questions wait, counted up to WAITING_COUNT_CAP (the tab then says
    "1000+"): counting every waiting question of a big forum costs more than the page."""
    return _waiting_rows().order_by()[:WAITING_COUNT_CAP].count()


# Response times ------------------------------------------------------------------------------


@dataclass
class ResponseFigure:
    """The median time to a first mentor response over `count` questions, and how many
    questions of the window are still waiting for one."""

    label: str
    median: timedelta | None
    count: int
    waiting: int = 0

    @property
    def median_display(self) -> str:
        return duration_human(self.median)


@dataclass
class ResponseTimes:
    days: int
    overall: ResponseFigure
    by_mentor: list[ResponseFigure]
    by_category: list[ResponseFigure]


# --- The queue page, assembled once for the page, its rows and its live catch-up -----------

QUEUE_TABS = {
    "flags": "Flags",
    "waiting": "Needs a mentor",
    "projects": "Projects awaiting review",
    "guide": "Guide",
}


def queue_tab(asked: str | None, current_url: str = "") -> str:
    """The tab asked for; without one (the live catch-up, a request of its own), the tab
    in the address of the page that asks (htmx sends it as HX-Current-URL)."""
    if asked is None:
        asked = parse_qs(urlsplit(current_url).query).get("tab", [""])[0]
    return asked if asked in QUEUE_TABS else "flags"


def _count(viewer: Any, counter: Any) -> int:
    return counter() if can_view_queue(viewer) else 0


def _queue_tabs(counts: dict[str, int], projects_capped: bool) -> list[dict[str, Any]]:
    capped = {"projects": projects_capped, "waiting": counts["waiting"] >= WAITING_COUNT_CAP}
    return [
        {"key": key, "label": label, "count": counts[key], "more": capped.get(key, False)}
        for key, label in QUEUE_TABS.items()
    ]


def queue_rows_context(*, viewer: Any) -> dict[str, Any]:
    """What every row's controls need: whether the viewer may act (a suspended mentor
    reads only) and the queue's address, so rows build their action links without a
    `reverse()` each."""
    return {"can_act": can_moderate(viewer), "queue_url": reverse("moderation:queue")}


def queue_counts(*, viewer: Any, tab: str) -> dict[str, Any]:
    """The tab counts alone (sent out of band beside a row that left the queue)."""
    projects = projects_awaiting_review(viewer=viewer, limit=QUEUE_LIMIT)
    counts = {
        "flags": _count(viewer, open_case_count),
        "waiting": _count(viewer, waiting_count),
        "projects": len(projects),
        "guide": _count(viewer, guide_queue_count),
    }
    return {"tabs": _queue_tabs(counts, len(projects) >= QUEUE_LIMIT), "tab": tab}


def queue_page(*, viewer: Any, tab: str, oob: bool = False) -> dict[str, Any]:
    """The tab counts and the current tab's rows, for the page and for its live catch-up
    (`oob=True`: the fragments carry hx-swap-oob)."""
    projects = projects_awaiting_review(viewer=viewer, limit=QUEUE_LIMIT)
    flags = open_cases(viewer=viewer) if tab == "flags" else None
    waiting = waiting_questions(viewer=viewer) if tab == "waiting" else None
    guide = guide_queue() if tab == "guide" and can_view_queue(viewer) else None
    counts = {
        "flags": flags.total if flags is not None else _count(viewer, open_case_count),
        "waiting": waiting.total if waiting is not None else _count(viewer, waiting_count),
        "projects": len(projects),
        "guide": guide.count if guide is not None else _count(viewer, guide_queue_count),
    }
    return {
        "tab": tab,
        "tabs": _queue_tabs(counts, len(projects) >= QUEUE_LIMIT),
        "flags": flags,
        "waiting": waiting,
        "waiting_cap": WAITING_COUNT_CAP,
        "projects": projects,
        "guide": guide,
        "oob": oob,
        **queue_rows_context(viewer=viewer),
    }


#: How old the queue's response-time figures may be (issue 16: "a few minutes old is fine").
FIGURES_SECONDS = 300


def response_times_recent(*, days: int = 30) -> ResponseTimes:
    """`response_times` as the queue shows it: computed at most every FIGURES_SECONDS (one
    request recomputes, the others keep the previous figures meanwhile), not per request:
    on a big forum the 30-day window's query is most of the queue's SQL time."""
    return cache.fragment(
        "response-times",
        parts=[days],
        compute=lambda: response_times(days=days),
        timeout=FIGURES_SECONDS,
        stale_ok=True,
    )


def response_times(*, days: int = 30, now: datetime | None = None) -> ResponseTimes:
    """Median time from asking to the first mentor answer or comment, over the questions
    asked in the last `days` days: overall, per mentor (the first responder) and per
    category, with the number of questions behind each median and, per category, how
    many are still waiting for a mentor.

    One query fetches the window's rows and Python takes the medians
    (`statistics.median`): a median is not an aggregate SQLite has, PostgreSQL's
    `percentile_cont` would need raw SQL (and a second path for SQLite), and a 30-day
    window holds a few thousand questions at most, a small list to sort. Slowest first,
    so slow corners lead; categories with questions but no response yet lead them all.
    """
    now = now or timezone.now()
    rows = Question.objects.filter(
        is_deleted=False, created_at__gte=now - timedelta(days=days)
    ).values_list(
        "created_at",
        "first_mentor_response_at",
        "category__name",
        "first_mentor_responder__handle",
        "first_mentor_responder__display_name",
    )
    overall: list[timedelta] = []
    per_mentor: dict[str, list[timedelta]] = defaultdict(list)
    mentor_names: dict[str, str] = {}
    per_category: dict[str, list[timedelta]] = defaultdict(list)
    category_waiting: dict[str, int] = defaultdict(int)
    for created_at, responded_at, category, handle, display_name in rows:
        if responded_at is None:
            category_waiting[category] += 1
            continue
        waited = max(responded_at - created_at, timedelta(0))
        overall.append(waited)
        per_category[category].append(waited)
        if handle:  # None once the responder's account is gone
            per_mentor[handle].append(waited)
            mentor_names[handle] = display_name or handle

    def figure(label: str, values: list[timedelta], waiting: int = 0) -> ResponseFigure:
        return ResponseFigure(
            label=label,
            median=median(values) if values else None,
            count=len(values),
            waiting=waiting,
        )

    def slowest_first(figure: ResponseFigure) -> tuple:
        return (figure.median is not None, -(figure.median or timedelta(0)), figure.label)

    by_mentor = sorted(
        (figure(mentor_names[h], v) for h, v in per_mentor.items()), key=slowest_first
    )
    by_category = sorted(
        (
            figure(name, per_category.get(name, []), category_waiting.get(name, 0))
            for name in set(per_category) | set(category_waiting)
        ),
        key=slowest_first,
    )
    return ResponseTimes(
        days=days,
        overall=figure("All questions", overall, sum(category_waiting.values())),
        by_mentor=by_mentor,
        by_category=by_category,
    )


# The moderation log --------------------------------------------------------------------------


@dataclass
class LogPage:
    entries: list[LogEntry]
    next_cursor: str | None
    # A filter naming nobody (an unknown handle): the page explains rather than lists.
    unknown: list[str] = field(default_factory=list)


def _log_cursor_encode(entry: LogEntry) -> str:
    return cursor_encode(entry.created_at, entry.pk)


def _log_cursor_decode(cursor: str) -> tuple[datetime, int] | None:
    """hub.keyset's cursor; or the log's own earlier one (base64url of `iso|id`), which
    links written before the move still carry. None (the first page) for anything else."""
    after = cursor_decode(cursor) or _legacy_log_cursor_decode(cursor)
    if after is None or timezone.is_naive(after[0]):
        return None
    return after


def _legacy_log_cursor_decode(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        return datetime.fromisoformat(stamp), int(pk)
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return None


def log_entries_query(
    *,
    action: str | None = None,
    actor_id: int | None = None,
    target_kind: str | None = None,
    target_user_id: int | None = None,
    after: tuple[datetime, int] | None = None,
    backward: bool = False,
) -> QuerySet[LogEntry]:
    """The log's rows for these filters, newest first (`backward`: oldest first, from
    `after` towards the newest, for a connection's `last`/`before`).

    Each filter rides an index of LogEntry.Meta, whose columns end in the list's order
    (-created_at, -id), so a page is read off the index without sorting: none ->
    log_newest; action -> log_action; actor -> log_actor; the person touched ->
    log_target_user (with several, the planner takes one and checks the others on the
    rows it reads); the target kind only narrows whichever of them is used.
    """
    entries = LogEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if target_user_id is not None:
        entries = entries.filter(target_user_id=target_user_id)
    if target_kind:
        entries = entries.filter(target_kind=target_kind)
    if after is not None:
        when, pk = after
        if backward:
            entries = entries.filter(Q(created_at__gt=when) | Q(created_at=when, pk__gt=pk))
        else:
            entries = entries.filter(Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk))
    if backward:
        return entries.order_by("created_at", "pk")  # the same indexes, read the other way
    return entries.order_by("-created_at", "-pk")


def _log_people(actor_handle: str | None, person_handle: str | None) -> tuple[dict, list[str]]:
    """The ids of the log's `actor` and `person` filters (None: no filter), and the handles
    that name nobody: one small query each, on the unique handle."""
    user_ids: dict[str, int | None] = {}
    unknown: list[str] = []
    for name, handle in (("actor", actor_handle), ("person", person_handle)):
        handle = (handle or "").strip().lstrip("@").lower()
        if not handle:
            user_ids[name] = None
            continue
        user_ids[name] = User.objects.filter(handle=handle).values_list("pk", flat=True).first()
        if user_ids[name] is None:
            unknown.append(handle)
    return user_ids, unknown


def log_entries(
    *,
    viewer: Any,
    action: str | None = None,
    actor_handle: str | None = None,
    target_kind: str | None = None,
    person_handle: str | None = None,
    cursor: str | None = None,
    limit: int = LOG_PAGE_SIZE,
    backward: bool = False,
) -> LogPage:
    """The moderation log for mentors, newest first, `limit` entries a page with a
    keyset cursor (`created_at`, `id`) to the next. Handles are looked up first (one
    small query each, on the unique handle), so the log filters on indexed id columns;
    a handle that names nobody gives an empty page that says so.

    `backward` reads the `limit` entries newer than `cursor` (all of the newest without
    one), still returned newest first; `next_cursor` then says more lie that way."""
    if not can_view_queue(viewer):
        return LogPage([], None)
    user_ids, unknown = _log_people(actor_handle, person_handle)
    if unknown:
        return LogPage([], None, unknown)
    rows = list(
        log_entries_query(
            action=action,
            actor_id=user_ids["actor"],
            target_kind=target_kind,
            target_user_id=user_ids["person"],
            after=_log_cursor_decode(cursor) if cursor else None,
            backward=backward,
        )
        .select_related("actor", "target_user")
        .defer("actor__password", "target_user__password", "actor__bio", "target_user__bio")[
            : limit + 1
        ]
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _log_cursor_encode(rows[-1])
    if backward:
        rows.reverse()
    for entry in rows:
        entry.changes = log_changes(entry.before, entry.after)
    return LogPage(rows, next_cursor)


def log_entry_cursor(entry: LogEntry) -> str:
    """The keyset cursor of one entry (the log page's `after`)."""
    return _log_cursor_encode(entry)


def log_entry_count(
    *,
    viewer: Any,
    action: str | None = None,
    actor_handle: str | None = None,
    target_kind: str | None = None,
    person_handle: str | None = None,
) -> int:
    """How many entries the log holds for these filters (0 for anyone but mentors)."""
    if not can_view_queue(viewer):
        return 0
    user_ids, unknown = _log_people(actor_handle, person_handle)
    if unknown:
        return 0
    return log_entries_query(
        action=action,
        actor_id=user_ids["actor"],
        target_kind=target_kind,
        target_user_id=user_ids["person"],
    ).count()


def log_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str]]:
    """An entry's state, readably: `("Title", "Old → New")`, `("Hidden", "no → yes")`, or
    the old value alone where nothing after was recorded; fields that did not change are
    left out."""
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        text = _state_text(old) if key in before else ""
        if key in after:
            text = f"{text} → {_state_text(after[key])}" if text else _state_text(after[key])
        changes.append((key.replace("_", " ").capitalize(), text))
    return changes


def _state_text(value: Any) -> str:
    """A state value, compactly: yes/no, a dash for nothing, moments as dates, the rest
    as text."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) > 18 and value[4] == "-" and value[10] == "T":
        try:
            return f"{datetime.fromisoformat(value):%-d %b %Y, %H:%M} UTC"
        except ValueError:
            pass
    return str(value)
