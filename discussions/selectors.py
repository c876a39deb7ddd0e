"""Reads shaped for the pages and APIs: the one place where query counts are won or lost.

Every list runs a fixed number of queries whatever its length (the tests pin them), and
pages by keyset (the last row's sort value and id), so page 500 is as fast as page 1.
"""

import difflib
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString

from accounts.models import User
from accounts.permissions import hidden_shown_to, is_mentor, may_see_hidden
from discussions.models import (
    Answer,
    Category,
    Comment,
    Follow,
    PostKind,
    Question,
    QuestionSearch,
    Revision,
    Tag,
    Vote,
    Watch,
)
from hub import cache
from hub import search as site_search
from hub.keyset import cursor_decode, cursor_encode

PAGE_SIZE = 20
PINNED_MAX = 5
SORTS = {
    "active": ("last_activity_at", "Recently active"),
    "newest": ("created_at", "Newest"),
    "top": ("score", "Top"),
}
SHOWS = {
    "unanswered": "Unanswered",
    "needs_mentor": "Needs a mentor",
    "mine": "Mine",
    "followed": "Followed",
}


def category_list() -> list[Category]:
    """Every category, in order: read on every list page, changed by admins only, so
    cached (hub.cache; category_ensure and the admin bump the site version)."""
    return cache.fragment("categories", compute=lambda: list(Category.objects.all()))


def category_get(*, slug: str) -> Category | None:
    if not slug:
        return None
    return next((c for c in category_list() if c.slug == slug), None)


def shown_to(viewer: Any, prefix: str = "") -> Q:
    """Hidden posts are gone for learners and visitors and stay, marked, for mentors and
    their authors (accounts.permissions.hidden_shown_to: the one rule, as a query)."""
    return hidden_shown_to(viewer, prefix)


def questions_visible_to(viewer: Any) -> QuerySet[Question]:
    """Questions a viewer may open: not deleted, and not hidden unless theirs or a
    mentor's to see."""
    return Question.objects.visible_to(viewer)


def has_hidden_questions(*, author: Any) -> bool:
    """Whether this person wrote a question that is hidden now (which they see in lists,
    marked, and others do not): one small query (the author's index)."""
    return Question.objects.filter(
        author=author, hidden_at__isnull=False, is_deleted=False
    ).exists()


# --- The question list --------------------------------------------------------------------


@dataclass
class QuestionPage:
    questions: list[Question]
    next_cursor: str | None
    sort: str
    show: str | None
    # A category's pinned questions, leading its first page (and left out of the rest).
    pinned: list[Question] = field(default_factory=list)


def _cursor_decode(cursor: str, sort: str) -> tuple[Any, int] | None:
    """The (value, id) a page starts after, or None for a cursor that does not parse."""
    return cursor_decode(cursor, parse=int if sort == "top" else datetime.fromisoformat)


def _keyset_bound(column: str, value: Any, pk: int, *, backward: bool = False) -> Q:
    """Rows after (value, pk) in descending list order, or before it when `backward`.
    The redundant `<=` bound lets PostgreSQL use it as the index condition; the OR alone
    is only a filter, walking every row before the cursor (bench/pages.py)."""
    if backward:
        return Q(**{f"{column}__gte": value}) & (
            Q(**{f"{column}__gt": value}) | Q(**{column: value, "pk__gt": pk})
        )
    return Q(**{f"{column}__lte": value}) & (
        Q(**{f"{column}__lt": value}) | Q(**{column: value, "pk__lt": pk})
    )


def question_cursor(question: Question, sort: str) -> str:
    """The cursor that starts a page right after (or before) `question` in `sort` order."""
    column = SORTS.get(sort, SORTS["active"])[0]
    return cursor_encode(getattr(question, column), question.pk)


def _questions_filtered(
    *, viewer: Any, category: Category | None, tag: str | None, show: str | None
) -> QuerySet[Question]:
    """The list's rows for these filters, unordered (question_list and question_count)."""
    questions = questions_visible_to(viewer)
    if category is not None:
        questions = questions.filter(category=category)
    if tag:
        questions = questions.filter(tags__name=tag.lower())
    signed_in = bool(viewer and viewer.is_authenticated)
    if show == "unanswered":
        questions = questions.filter(answer_count=0)
    elif show == "needs_mentor":
        questions = questions.filter(has_mentor_answer=False)
    elif show == "mine":
        questions = questions.filter(author=viewer) if signed_in else questions.none()
    elif show == "followed":
        questions = (
            questions.filter(Exists(Follow.objects.filter(user=viewer, question=OuterRef("pk"))))
            if signed_in
            else questions.none()
        )
    return questions


def question_count(
    *,
    viewer: Any,
    category: Category | None = None,
    tag: str | None = None,
    show: str | None = None,
) -> int:
    """How many questions question_list would list in all (one COUNT query)."""
    show = show if show in SHOWS else None
    return _questions_filtered(viewer=viewer, category=category, tag=tag, show=show).count()


def question_list(
    *,
    viewer: Any,
    category: Category | None = None,
    tag: str | None = None,
    show: str | None = None,
    sort: str = "active",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    backward: bool = False,
    pinned_first: bool = True,
) -> QuestionPage:
    """One page of the list, newest (or most active, or top) first, after `cursor`.

    `backward=True` is the page *before* `cursor` (or the last page without one), still
    in list order, with `next_cursor` then pointing further back (the GraphQL `last`).
    `pinned_first=False` lists pinned questions in their place like any other."""
    sort = sort if sort in SORTS else "active"
    show = show if show in SHOWS else None
    column = SORTS[sort][0]
    questions = _questions_filtered(viewer=viewer, category=category, tag=tag, show=show)
    pinned: list[Question] = []
    if pinned_first and category is not None and show is None and not tag:
        if not cursor:
            pinned = list(
                questions.filter(pinned_at__isnull=False)
                .select_related("author", "category")
                .prefetch_related("tags")
                .order_by("-pinned_at")[:PINNED_MAX]
            )
        questions = questions.filter(pinned_at__isnull=True)
    after = _cursor_decode(cursor, sort) if cursor else None
    if after is not None:
        questions = questions.filter(_keyset_bound(column, *after, backward=backward))
    order = (column, "pk") if backward else (f"-{column}", "-pk")
    rows = list(
        questions.select_related("author", "category")
        .prefetch_related("tags")
        .order_by(*order)[: limit + 1]
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = cursor_encode(getattr(last, column), last.pk)
    if backward:
        rows.reverse()
    return QuestionPage(
        questions=rows, next_cursor=next_cursor, sort=sort, show=show, pinned=pinned
    )


# --- A person's activity (their profile) ------------------------------------------------


PROFILE_PAGE_SIZE = 20


@dataclass
class ActivityPage:
    rows: list[Any]
    next_cursor: str | None


@dataclass(frozen=True)
class ActivityCounts:
    questions: int
    answers: int
    accepted: int


@dataclass(frozen=True)
class HelpTopic:
    name: str
    slug: str
    answers: int
    accepted: int


def _questions_by(viewer: Any, author: User) -> QuerySet[Question]:
    return questions_visible_to(viewer).filter(author=author)


def _answers_by(viewer: Any, author: User) -> QuerySet[Answer]:
    """The author's answers the viewer may see, on questions the viewer may open."""
    return Answer.objects.visible_to(viewer).filter(
        shown_to(viewer, "question__"), author=author, question__is_deleted=False
    )


def _activity_page(rows: QuerySet[Any], cursor: str | None, limit: int) -> ActivityPage:
    """Newest first by (created_at, id), after `cursor` (the list's cursor format)."""
    after = _cursor_decode(cursor, "newest") if cursor else None
    if after is not None:
        rows = rows.filter(_keyset_bound("created_at", *after))
    found = list(rows.order_by("-created_at", "-pk")[: limit + 1])
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        next_cursor = cursor_encode(found[-1].created_at, found[-1].pk)
    return ActivityPage(rows=found, next_cursor=next_cursor)


def activity_counts(*, viewer: Any, user: User) -> ActivityCounts:
    """How many questions and answers (and accepted answers) of `user` the viewer may
    see: two COUNT queries over the (author, created_at) indexes."""
    answers = _answers_by(viewer, user).aggregate(
        answers=Count("pk"), accepted=Count("pk", filter=Q(question__accepted_answer=F("pk")))
    )
    return ActivityCounts(
        questions=_questions_by(viewer, user).count(),
        answers=answers["answers"],
        accepted=answers["accepted"],
    )


def questions_by_user(
    *, viewer: Any, user: User, cursor: str | None = None, limit: int = PROFILE_PAGE_SIZE
) -> ActivityPage:
    """One page of the questions `user` asked, newest first (one query)."""
    rows = _questions_by(viewer, user).select_related("category")
    return _activity_page(rows, cursor, limit)


def answers_by_user(
    *, viewer: Any, user: User, cursor: str | None = None, limit: int = PROFILE_PAGE_SIZE
) -> ActivityPage:
    """One page of the answers `user` wrote, newest first, each with its question (title,
    topic, whether this answer is the accepted one): one query."""
    rows = _answers_by(viewer, user).select_related("question", "question__category")
    rows = rows.defer("body", "body_html", "question__body", "question__body_html")
    return _activity_page(rows, cursor, limit)


def help_topics(*, viewer: Any, user: User, limit: int = 6) -> list[HelpTopic]:
    """The topics `user` answers in, most answers first (one grouped query)."""
    rows = (
        _answers_by(viewer, user)
        .values("question__category__name", "question__category__slug")
        .annotate(n=Count("pk"), accepted=Count("pk", filter=Q(question__accepted_answer=F("pk"))))
        .order_by("-n", "question__category__name")[:limit]
    )
    return [
        HelpTopic(
            name=row["question__category__name"],
            slug=row["question__category__slug"],
            answers=row["n"],
            accepted=row["accepted"],
        )
        for row in rows
    ]


def questions_created_since(*, viewer: Any, since: datetime, limit: int = 20) -> list[Question]:
    """New questions for the list's "N new questions" bar, oldest first."""
    return list(
        questions_visible_to(viewer)
        .filter(created_at__gt=since)
        .select_related("author", "category")
        .prefetch_related("tags")
        .order_by("created_at", "pk")[:limit]
    )


def is_watching(*, user: Any, category: Category | None = None, tag: str = "") -> bool:
    if not (user and user.is_authenticated) or not (category or tag):
        return False
    watches = Watch.objects.filter(user=user)
    if category is not None:
        return watches.filter(category=category).exists()
    return watches.filter(tag__name=tag).exists()


def tag_get(*, name: str) -> Tag | None:
    return Tag.objects.filter(name=name.lower()).first() if name else None


def unanswered_where_watching(*, user: Any, limit: int = 10) -> list[dict[str, str]]:
    """For the email digest: unanswered questions in the categories and tags someone
    watches, oldest first (those have waited longest)."""
    watched = Watch.objects.filter(user=user)
    questions = (
        questions_visible_to(user)
        .filter(answer_count=0)
        .filter(
            Q(category__in=watched.values("category"))
            | Q(tags__in=watched.exclude(tag=None).values("tag"))
        )
        .exclude(author=user)
        .distinct()
        .order_by("created_at")[:limit]
    )
    return [{"title": q.title, "url": q.get_absolute_url()} for q in questions]


# --- One thread ---------------------------------------------------------------------------


@dataclass
class Thread:
    question: Question
    answers: list[Answer]
    comments: list[Comment]
    voted_question: bool = False
    voted_answer_ids: set[int] = field(default_factory=set)
    following: bool = False


# A thread page shows stored HTML, never the Markdown source, nor authors' private fields.
_UNSHOWN = ("body", "author__password", "author__bio", "author__email", "author__website")


def _live_comments(viewer: Any) -> Prefetch:
    return Prefetch(
        "comments",
        queryset=Comment.objects.filter(shown_to(viewer), is_deleted=False)
        .select_related("author")
        .defer(*_UNSHOWN)
        .order_by("created_at", "pk"),
        to_attr="live_comments",
    )


def question_answers_seen(*, viewer: Any, question: Question) -> list[Answer]:
    """The answers this viewer may see (hidden ones too for mentors and their authors),
    each with the comments they may see as `live_comments`, in the thread's order
    (accepted first, then score, then oldest): two queries."""
    return list(
        Answer.objects.filter(shown_to(viewer), question=question, is_deleted=False)
        .select_related("author")
        .defer(*_UNSHOWN)
        .prefetch_related(_live_comments(viewer))
        .annotate(
            accepted_first=Case(
                When(pk=question.accepted_answer_id or 0, then=0),
                default=1,
                output_field=IntegerField(),
            )
        )
        .order_by("accepted_first", "-score", "created_at", "pk")
    )


def question_thread(*, viewer: Any, question: Question) -> Thread:
    """Everything a question page shows, in a fixed number of queries: answers (accepted
    first, then score, then oldest), comments, and the viewer's votes and follow."""
    answers = question_answers_seen(viewer=viewer, question=question)
    comments = list(
        Comment.objects.filter(shown_to(viewer), question=question, is_deleted=False)
        .select_related("author")
        .defer(*_UNSHOWN)
        .order_by("created_at", "pk")
    )
    thread = Thread(question=question, answers=answers, comments=comments)
    if viewer and viewer.is_authenticated:
        _viewer_marks(thread, viewer, question, [a.pk for a in answers])
    return thread


@dataclass
class NeutralAnswers:
    """A thread's answers (with their comments) as everyone may see them: what the cached,
    viewer-neutral part of the thread page renders. `hidden_author_ids` are the authors of
    hidden answers and comments left out, who (like mentors) see more than this."""

    answers: list[Answer]
    hidden_author_ids: frozenset[int]


def question_answers_neutral(*, question: Question) -> NeutralAnswers:
    """The answers every reader shares, in the thread's order, in the same two queries as
    question_thread: hidden answers and comments are fetched and dropped here, so that who
    may see more is known without another query."""
    answers = list(
        Answer.objects.filter(question=question, is_deleted=False)
        .select_related("author")
        .defer(*_UNSHOWN)
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=Comment.objects.filter(is_deleted=False)
                .select_related("author")
                .defer(*_UNSHOWN)
                .order_by("created_at", "pk"),
                to_attr="live_comments",
            )
        )
        .annotate(
            accepted_first=Case(
                When(pk=question.accepted_answer_id or 0, then=0),
                default=1,
                output_field=IntegerField(),
            )
        )
        .order_by("accepted_first", "-score", "created_at", "pk")
    )
    hidden = {a.author_id for a in answers if a.hidden_at is not None}
    shown = [a for a in answers if a.hidden_at is None]
    for answer in shown:
        hidden |= {c.author_id for c in answer.live_comments if c.hidden_at is not None}
        answer.live_comments = [c for c in answer.live_comments if c.hidden_at is None]
    return NeutralAnswers(answers=shown, hidden_author_ids=frozenset(hidden))


def question_thread_for_viewer(*, viewer: Any, question: Question, answer_ids: list[int]) -> Thread:
    """The per-viewer rest of a thread page whose answers come from the cache: the
    question's comments, the viewer's votes and follow (answers left empty)."""
    comments = list(
        Comment.objects.filter(shown_to(viewer), question=question, is_deleted=False)
        .select_related("author")
        .defer(*_UNSHOWN)
        .order_by("created_at", "pk")
    )
    thread = Thread(question=question, answers=[], comments=comments)
    if viewer and viewer.is_authenticated:
        _viewer_marks(thread, viewer, question, answer_ids)
    return thread


def _viewer_marks(thread: Thread, viewer: Any, question: Question, answer_ids: list[int]) -> None:
    votes = Vote.objects.filter(user=viewer).filter(
        Q(question=question) | Q(answer_id__in=answer_ids)
    )
    for question_id, answer_id in votes.values_list("question_id", "answer_id"):
        if question_id:
            thread.voted_question = True
        else:
            thread.voted_answer_ids.add(answer_id)
    thread.following = Follow.objects.filter(user=viewer, question=question).exists()


def question_get(*, viewer: Any, pk: int, with_tags: bool = True) -> Question | None:
    """One question the viewer may see, or None. `with_tags=False` leaves out the tags'
    query (GraphQL loads them only when a document asks for them)."""
    questions = questions_visible_to(viewer).select_related(
        "author", "category", "project", "duplicate_of"
    )
    if with_tags:
        questions = questions.prefetch_related("tags")
    return questions.filter(pk=pk).first()


def answer_get(*, viewer: Any, pk: int) -> Answer | None:
    return (
        Answer.objects.filter(
            shown_to(viewer),
            shown_to(viewer, "question__"),
            pk=pk,
            is_deleted=False,
            question__is_deleted=False,
        )
        .select_related("author", "question", "question__author")
        .first()
    )


def answer_voted(*, viewer: Any, answer: Answer) -> bool:
    """Whether `viewer` up-voted this answer (one answer's page in the API)."""
    return post_voted(viewer=viewer, post=answer)


def post_voted(*, viewer: Any, post: Question | Answer) -> bool:
    """Whether `viewer` up-voted this question or answer."""
    if not (viewer and viewer.is_authenticated):
        return False
    if isinstance(post, Question):
        return Vote.objects.filter(user=viewer, question=post).exists()
    return Vote.objects.filter(user=viewer, answer=post).exists()


def comment_get(*, viewer: Any, pk: int) -> Comment | None:
    comment = (
        Comment.objects.filter(shown_to(viewer), pk=pk, is_deleted=False)
        .exclude(question__is_deleted=True)
        .exclude(answer__is_deleted=True)
        .select_related("author", "question", "answer", "answer__question")
        .first()
    )
    if comment is None:
        return None
    parents = [comment.answer, comment.answer.question] if comment.answer_id else [comment.question]
    if any(p.hidden_at is not None and not may_see_hidden(viewer, p) for p in parents):
        return None
    return comment


# --- Revisions ---------------------------------------------------------------------------


@dataclass
class RevisionView:
    revision: Revision
    diff: list[tuple[str, str]]  # (kind, line) with kind in "+", "-", " "


def revision_history(*, kind: str, post_id: int) -> list[RevisionView]:
    """Each revision with a line diff against the one before it; newest first."""
    revisions = list(
        Revision.objects.filter(kind=kind, post_id=post_id)
        .select_related("editor")
        .order_by("number")
    )
    views: list[RevisionView] = []
    previous = ""
    for revision in revisions:
        text = (
            f"{revision.title}\n\n{revision.body}" if kind == PostKind.QUESTION else revision.body
        )
        diff = [
            (line[0], line[2:])
            for line in difflib.ndiff(previous.splitlines(), text.splitlines())
            if line[:1] in "+- "
        ]
        views.append(RevisionView(revision=revision, diff=diff))
        previous = text
    return list(reversed(views))


# --- Search ------------------------------------------------------------------------------
# A question is found when every word (and "phrase") occurs in it - its title, tags and
# body - or all of them in one of its answers the viewer may see. On PostgreSQL: the
# question's vector (QuestionSearch: title A, tags B, body B) and an expression GIN index
# on answer bodies (migration 0006); on SQLite: LIKE, a word also matching a tag by name.
# (A stored answer vector was measured and dropped: docs/decisions/0022, addendum.)

WORD_RE = site_search.WORD_RE
#: The answer-body vector: exactly the expression migration 0006 indexes.
ANSWER_VECTOR = SearchVector("body", config="english")
#: Totals are counted up to this many matches; past it a page shows "1,000+".
SEARCH_COUNT_MAX = 1000
#: A window of ranked ids is taken from twice its end in candidates, and this many more.
SEARCH_CANDIDATES_EXTRA = 20


@dataclass
class SearchResult:
    question: Question
    snippet: SafeString
    in_answer: bool = False  # the snippet is from an answer
    tags: list[str] = field(default_factory=list)


def _snippet(raw: str) -> SafeString:
    return site_search.marked(raw)


def _headline(column: str, search: SearchQuery) -> SearchHeadline:
    return SearchHeadline(
        column,
        search,
        config="english",
        start_sel=site_search.MARK_START,
        stop_sel=site_search.MARK_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
    )


def _tag_word(word: str) -> Q:
    """A tag named by a word: `celery`, or a part of `django-orm`."""
    word = word.lower()
    return (
        Q(tag__name=word)
        | Q(tag__name__startswith=f"{word}-")
        | Q(tag__name__endswith=f"-{word}")
        | Q(tag__name__contains=f"-{word}-")
    )


def _text_q(term: site_search.Term, *columns: str, tags: bool = False) -> Q:
    """SQLite: one term in any of these columns (or, for a word, a tag)."""
    found = Q()
    for column in columns:
        found |= Q(**{f"{column}__icontains": term.text})
    if tags and not term.phrase:
        found |= Exists(
            Question.tags.through.objects.filter(_tag_word(term.text), question_id=OuterRef("pk"))
        )
    return found


def _question_scope(viewer: Any, query: site_search.ParsedQuery) -> QuerySet[Question]:
    """The questions a viewer may open, with the query's tag: filters."""
    questions = questions_visible_to(viewer)
    for tag in query.tags:
        questions = questions.filter(
            Exists(Question.tags.through.objects.filter(question_id=OuterRef("pk"), tag__name=tag))
        )
    return questions


def _question_matches(
    viewer: Any, query: site_search.ParsedQuery, *, own_text_only: bool = False
) -> QuerySet[Question]:
    """The questions the query finds. `own_text_only` (PostgreSQL): only those whose own
    vector matches, a subset that a LIMITed read walks without hashing every answer."""
    questions = _question_scope(viewer, query)
    if not query.terms:
        return questions
    answers = Answer.objects.filter(shown_to(viewer), is_deleted=False)
    if connection.vendor == "postgresql":
        search = SearchQuery(query.websearch, search_type="websearch", config="english")
        in_question = QuestionSearch.objects.filter(search_vector=search).values("question_id")
        if own_text_only:
            return questions.filter(pk__in=in_question)
        in_answers = answers.annotate(v=ANSWER_VECTOR).filter(v=search).values("question_id")
        return questions.filter(Q(pk__in=in_question) | Q(pk__in=in_answers))
    in_question, in_answer = _own_text_q(query), Q()
    for term in query.terms:
        in_answer &= Q(body__icontains=term.text)
    for term in query.excluded:
        in_answer &= ~Q(body__icontains=term.text)
    return questions.filter(
        in_question | Exists(answers.filter(in_answer, question_id=OuterRef("pk")))
    )


def _own_text_q(query: site_search.ParsedQuery) -> Q:
    """SQLite: the query matches the question's own title, body and tags."""
    found = Q()
    for term in query.terms:
        found &= _text_q(term, "title", "body", tags=True)
    for term in query.excluded:
        found &= ~_text_q(term, "title", "body", tags=True)
    return found


def _question_ranked(matches: QuerySet[Question], query: site_search.ParsedQuery) -> QuerySet:
    """Questions whose own words match before those found only through an answer (the
    rank of a vector that does not match means nothing: ts_rank leaves out -excluded
    words, and scores a vector with some of the words); then title matches first, then
    the best text matches, then the highest scored."""
    if not query.terms:
        return matches.order_by("-score", "-pk")
    if connection.vendor == "postgresql":
        # Both ranks from one LEFT JOIN to the question's search row (not a subquery each).
        search = SearchQuery(query.websearch, search_type="websearch", config="english")
        vector = F("search_row__search_vector")
        return matches.annotate(
            own_match=Case(
                When(search_row__search_vector=search, then=1),
                default=0,
                output_field=IntegerField(),
            ),
            title_rank=Coalesce(
                SearchRank(vector, search, weights=[0.0, 0.0, 0.0, 1.0]),
                0.0,
                output_field=FloatField(),
            ),
            rank=Coalesce(SearchRank(vector, search), 0.0, output_field=FloatField()),
        ).order_by("-own_match", "-title_rank", "-rank", "-score", "-pk")
    in_title = Q()
    for term in query.terms:
        in_title &= Q(title__icontains=term.text)
    return matches.annotate(
        own_match=Case(When(_own_text_q(query), then=1), default=0, output_field=IntegerField()),
        title_hit=Case(When(in_title, then=0), default=1, output_field=IntegerField()),
    ).order_by("-own_match", "title_hit", "-score", "-pk")


def question_search_page(
    *, viewer: Any, query: site_search.ParsedQuery, offset: int = 0, limit: int = PAGE_SIZE
) -> tuple[list[SearchResult], int]:
    """One page of questions found by a parsed query, and how many there are in all,
    counted up to SEARCH_COUNT_MAX + 1 (more than SEARCH_COUNT_MAX: show "1,000+"): a fixed
    number of queries whatever the page's length (count and ranked ids, or the cached pair;
    rows, tags, answer snippets)."""
    if not query.searchable:
        return [], 0
    total, ids = _question_ranked_ids(viewer, query, offset, limit)
    return _search_results(viewer, query, list(ids)), total


#: How long a query's ranked ids are kept (never stale: keyed on the versions every
#: discussions write bumps; the timeout only bounds a bump lost in a cache outage).
SEARCH_CACHE_SECONDS = 120


def _search_viewer_class(viewer: Any) -> str:
    """Whose view of the matches this is, as a cache key part: "all" for mentors (they see
    every hidden post), "public" for visitors and for people none of whose live posts is
    hidden (they see exactly what a visitor sees), else the person's own ("u42"): one
    small query on the authors' indexes for a signed-in learner."""
    if is_mentor(viewer):
        return "all"
    if not (viewer and viewer.is_authenticated):
        return "public"
    hidden = Q(author=viewer, hidden_at__isnull=False, is_deleted=False)
    own_hidden = User.objects.filter(
        Q(Exists(Question.objects.filter(hidden))) | Q(Exists(Answer.objects.filter(hidden))),
        pk=viewer.pk,
    )
    return f"u{viewer.pk}" if own_hidden.exists() else "public"


def _question_ranked_ids(
    viewer: Any, query: site_search.ParsedQuery, offset: int, limit: int
) -> tuple[int, tuple[int, ...]]:
    """(the capped total, the window's ranked ids), cached for a short while per query,
    window and class of viewer (`_search_viewer_class`). Every discussions write (a post,
    an edit, a vote, a hide, a delete) bumps the ("questions", "") version after commit
    (discussions.events.question_bump), and roles bump ("site", ""): the next search
    after a write computes afresh."""

    def compute() -> tuple[int, tuple[int, ...]]:
        return _question_ranked_ids_uncached(viewer, query, offset, limit)

    if not settings.NEXUS_CACHE:
        return compute()
    digest = hashlib.blake2b(
        repr((query.terms, query.excluded, query.tags)).encode(), digest_size=16
    ).hexdigest()
    return cache.fragment(
        "search-questions",
        deps=[("questions", "")],
        parts=[_search_viewer_class(viewer), digest, offset, limit],
        compute=compute,
        timeout=SEARCH_CACHE_SECONDS,
    )


def _question_ranked_ids_uncached(
    viewer: Any, query: site_search.ParsedQuery, offset: int, limit: int
) -> tuple[int, tuple[int, ...]]:
    matches = _question_matches(viewer, query)
    own, total = _question_total(viewer, query, matches)
    if not limit or not total:
        return total, ()
    if own >= offset + limit:
        # The window lies inside the questions whose own words match: every one of them
        # ranks before any question found only through an answer (_question_ranked), so
        # the answers' pass (tens of thousands of rows for a common word) is not needed.
        ids = _question_ranked_by_search_rows(viewer, query, offset, limit)
        if ids is not None:
            return total, ids
        matches = _question_matches(viewer, query, own_text_only=True)
    ranked = _question_ranked(matches, query).values_list("pk", flat=True)
    return total, tuple(ranked[offset : offset + limit])


def _question_ranked_by_search_rows(
    viewer: Any, query: site_search.ParsedQuery, offset: int, limit: int
) -> tuple[int, ...] | None:
    """PostgreSQL, for a window inside the questions whose own words match: the best
    candidates by the search table alone (title rank, rank, its copy of the score, id: one
    pass over the matching rows, no read of the questions, which is most of the time of
    ranking every match), then only those are checked against the viewer's visibility and
    the tag filters and ranked again, in one query. Exact when enough candidates are left
    (the ones kept keep their order); None when not (many hidden or filtered out among the
    best): the caller then ranks every own match."""
    search = SearchQuery(query.websearch, search_type="websearch", config="english")
    vector = F("search_vector")
    candidates = (
        QuestionSearch.objects.filter(search_vector=search)
        .annotate(
            title_rank=SearchRank(vector, search, weights=[0.0, 0.0, 0.0, 1.0]),
            rank=SearchRank(vector, search),
        )
        .order_by("-title_rank", "-rank", "-score", "-question_id")
        .values("question_id")[: (offset + limit) * 2 + SEARCH_CANDIDATES_EXTRA]
    )
    kept = _question_scope(viewer, query).filter(pk__in=candidates)
    ids = tuple(_question_ranked(kept, query).values_list("pk", flat=True)[offset : offset + limit])
    return ids if len(ids) == limit else None


def _question_total(
    viewer: Any, query: site_search.ParsedQuery, matches: QuerySet[Question]
) -> tuple[int, int]:
    """How many questions match by their own words, and in all, each counted up to
    SEARCH_COUNT_MAX + 1 (one query).

    Counting every match of a common word costs more than finding the page: hashing the
    question ids of every matching answer (65k answers for "django" in the bench data).
    On PostgreSQL the first count walks only the questions whose own vector matches and
    stops at SEARCH_COUNT_MAX + 1; only when those are fewer is the full count (still
    capped) evaluated: PostgreSQL runs a CASE branch's subquery only when it is taken.
    (On SQLite, or with only tags, the own count is 0: the ranking reads every match.)"""
    cap = SEARCH_COUNT_MAX + 1
    if connection.vendor != "postgresql" or not query.terms:
        return 0, matches[:cap].count()
    own = _question_matches(viewer, query, own_text_only=True).values("pk")[:cap]
    every = matches.values("pk")[:cap]
    own_sql, own_params = own.query.sql_with_params()
    every_sql, every_params = every.query.sql_with_params()
    # Both parts are the ORM's own compiled SQL; every value is a parameter.
    sql = (
        f"SELECT own.n, CASE WHEN own.n >= %s THEN %s "  # noqa: S608
        f"ELSE (SELECT COUNT(*) FROM ({every_sql}) AS every) END "
        f"FROM (SELECT COUNT(*) AS n FROM ({own_sql}) AS own_ids) AS own"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (cap, cap, *every_params, *own_params))
        own_count, total = cursor.fetchone()
    return own_count, total


def _search_results(
    viewer: Any, query: site_search.ParsedQuery, ids: list[int]
) -> list[SearchResult]:
    if not ids:
        return []
    # The viewer's visibility again: ids from the cache never show what they may not open.
    rows = questions_visible_to(viewer).filter(pk__in=ids).select_related("author", "category")
    postgres = connection.vendor == "postgresql" and query.terms
    if postgres:
        search = SearchQuery(query.websearch, search_type="websearch", config="english")
        rows = rows.annotate(headline=_headline("body", search))
    by_id = {q.pk: q for q in rows}
    tags = tags_for_questions(question_ids=ids)
    results = []
    for pk in ids:
        question = by_id.get(pk)
        if question is None:
            continue
        if postgres:
            snippet = _snippet(question.headline)
        elif query.terms:
            snippet = site_search.highlight(question.body, query.needles)
        else:
            snippet = _snippet(question.excerpt)
        results.append(
            SearchResult(
                question=question, snippet=snippet, tags=[t.name for t in tags.get(pk, [])]
            )
        )
    # Matched through an answer (nothing marked in the question's body): that answer's words.
    unmarked = [
        r.question.pk for r in results if query.terms and not site_search.has_mark(r.snippet)
    ]
    if unmarked:
        snippets = _answer_snippets(viewer, query, unmarked)
        for result in results:
            if result.question.pk in snippets:
                result.snippet, result.in_answer = snippets[result.question.pk], True
    return results


def _answer_snippets(
    viewer: Any, query: site_search.ParsedQuery, question_ids: list[int]
) -> dict[int, SafeString]:
    """The best matching visible answer's snippet for each question: one query."""
    answers = Answer.objects.filter(
        shown_to(viewer), is_deleted=False, question_id__in=question_ids
    ).order_by("question_id", "-score", "pk")
    found: dict[int, SafeString] = {}
    if connection.vendor == "postgresql":
        search = SearchQuery(query.websearch, search_type="websearch", config="english")
        rows = (
            answers.annotate(v=ANSWER_VECTOR)
            .filter(v=search)
            .annotate(headline=_headline("body", search))
            .values_list("question_id", "headline")
        )
        for question_id, headline in rows:
            found.setdefault(question_id, _snippet(headline))
        return found
    match = Q()
    for term in query.terms:
        match &= Q(body__icontains=term.text)
    for question_id, body in answers.filter(match).values_list("question_id", "body"):
        if question_id not in found:
            found[question_id] = site_search.highlight(body, query.needles)
    return found


def question_search(*, viewer: Any, query: str, limit: int = PAGE_SIZE) -> list[SearchResult]:
    """The best `limit` questions for a query as typed (the API doors' search): ranked,
    title matches first, highlighted snippets."""
    results, _ = question_search_page(viewer=viewer, query=site_search.parse(query), limit=limit)
    return results


def question_similar(*, title: str, limit: int = 5) -> list[Question]:
    """Existing questions that look like a title being typed, to cut duplicates."""
    words = [w for w in WORD_RE.findall(title.lower()) if len(w) > 2][:12]
    if not words:
        return []
    questions = questions_visible_to(None).only("pk", "title", "answer_count", "accepted_answer")
    if connection.vendor == "postgresql":
        search = SearchQuery(" or ".join(words), search_type="websearch", config="english")
        ranked = list(
            QuestionSearch.objects.filter(search_vector=search)
            .annotate(rank=SearchRank(F("search_vector"), search, weights=[0.0, 0.0, 0.2, 1.0]))
            .order_by("-rank", "-question_id")
            .values_list("question_id", flat=True)[:limit]
        )
        by_id = {q.pk: q for q in questions.filter(pk__in=ranked)}
        return [by_id[pk] for pk in ranked if pk in by_id]
    longest = sorted(words, key=len, reverse=True)[:3]
    matches = Q()
    for word in longest:
        matches |= Q(title__icontains=word)
    return list(questions.filter(matches).order_by("-score", "-pk")[:limit])


# --- Autocomplete ------------------------------------------------------------------------


def tag_suggest(*, prefix: str, limit: int = 8) -> list[str]:
    prefix = prefix.strip().lstrip("#").lower()
    tags = Tag.objects.all()
    if prefix:
        tags = tags.filter(name__startswith=prefix)
    return list(tags.order_by("name").values_list("name", flat=True)[:limit])


def handle_suggest(*, prefix: str, limit: int = 8) -> list[User]:
    prefix = prefix.strip().lstrip("@").lower()
    if not prefix:
        return []
    return list(
        User.objects.filter(is_active=True, handle__startswith=prefix)
        .only("handle", "display_name", "role")
        .order_by("handle")[:limit]
    )


# --- Batches for the API doors -----------------------------------------------------------
# A GraphQL list asks for the same nested field on every row of a page; these load it for
# all the rows at once (one query per field, whatever the page's length), with exactly the
# visibility of the thread page above.


def _grouped(rows: list[Any], key: str) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def answers_for_questions(*, viewer: Any, question_ids: list[int]) -> dict[int, list[Answer]]:
    """Each question's answers as its page shows them: accepted first, then score, then
    oldest; hidden ones only for mentors and their authors."""
    answers = (
        Answer.objects.filter(shown_to(viewer), question_id__in=question_ids, is_deleted=False)
        .select_related("author", "question")
        .annotate(
            accepted_first=Case(
                When(pk=F("question__accepted_answer_id"), then=0),
                default=1,
                output_field=IntegerField(),
            )
        )
        .order_by("question_id", "accepted_first", "-score", "created_at", "pk")
    )
    return _grouped(list(answers), "question_id")


def answers_get_many(*, viewer: Any, pks: list[int]) -> dict[int, Answer]:
    """Answers by id that the viewer may see (their question too), for accepted answers
    and global ids."""
    answers = Answer.objects.filter(
        shown_to(viewer),
        shown_to(viewer, "question__"),
        pk__in=pks,
        is_deleted=False,
        question__is_deleted=False,
    ).select_related("author", "question")
    return {a.pk: a for a in answers}


def comments_for_posts(*, viewer: Any, kind: str, post_ids: list[int]) -> dict[int, list[Comment]]:
    """The live comments under each question (kind "question") or answer, oldest first."""
    column = "question_id" if kind == PostKind.QUESTION else "answer_id"
    comments = (
        Comment.objects.filter(shown_to(viewer), is_deleted=False, **{f"{column}__in": post_ids})
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return _grouped(list(comments), column)


def voted_post_ids(*, user: Any, kind: str, post_ids: list[int]) -> set[int]:
    """Which of these questions (or answers) the viewer up-voted."""
    if not (user and user.is_authenticated) or not post_ids:
        return set()
    column = "question_id" if kind == PostKind.QUESTION else "answer_id"
    return set(
        Vote.objects.filter(user=user, **{f"{column}__in": post_ids}).values_list(column, flat=True)
    )


def followed_question_ids(*, user: Any, question_ids: list[int]) -> set[int]:
    if not (user and user.is_authenticated) or not question_ids:
        return set()
    return set(
        Follow.objects.filter(user=user, question_id__in=question_ids).values_list(
            "question_id", flat=True
        )
    )


def tags_for_questions(*, question_ids: list[int]) -> dict[int, list[Tag]]:
    through = Question.tags.through.objects.filter(question_id__in=question_ids).select_related(
        "tag"
    )
    grouped: dict[int, list[Tag]] = {}
    for row in through.order_by("tag__name"):
        grouped.setdefault(row.question_id, []).append(row.tag)
    return grouped


def revisions_for_posts(*, kind: str, post_ids: list[int]) -> dict[int, list[Revision]]:
    """Every revision of each post, oldest first (number 1 is the original)."""
    revisions = (
        Revision.objects.filter(kind=kind, post_id__in=post_ids)
        .select_related("editor")
        .order_by("post_id", "number")
    )
    return _grouped(list(revisions), "post_id")


def questions_get_many(*, viewer: Any, pks: list[int]) -> dict[int, Question]:
    questions = (
        questions_visible_to(viewer)
        .filter(pk__in=pks)
        .select_related("author", "category")
        .prefetch_related("tags")
    )
    return {q.pk: q for q in questions}
