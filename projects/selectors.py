"""Reads shaped for the project pages and APIs: the one place where query counts are won
or lost.

Visibility is decided here once (`projects_visible_to`) and every selector starts from
it: a draft is seen by its author only, a hidden project by its author and mentors.
Lists run a fixed number of queries whatever their length (tests pin them) and page by
keyset (the last row's sort value and id).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.safestring import SafeString

from accounts.models import User
from hub import search as site_search
from hub.keyset import cursor_decode, cursor_encode
from projects.forms import FeedbackForm, ReviewForm
from projects.models import (
    STACK_TAGS,
    Feedback,
    Project,
    ProjectRevision,
    ProjectSearch,
    ProjectTag,
    Review,
    ReviewState,
    Star,
    State,
)

PAGE_SIZE = 24
SORTS = {
    "newest": ("listed_at", "Newest"),
    "starred": ("star_count", "Most starred"),
    "reviewed": ("last_reviewed_at", "Recently reviewed"),
}


def _signed_in(viewer: Any) -> bool:
    return bool(viewer and viewer.is_authenticated)


def projects_visible_to(viewer: Any) -> QuerySet[Project]:
    """Every project `viewer` may open: published ones, their own in any state, and hidden
    ones for mentors."""
    return Project.objects.visible_to(viewer)


def _with_starred(projects: QuerySet[Project], viewer: Any) -> QuerySet[Project]:
    """`starred`: whether the viewer starred each row (in the same query)."""
    if not _signed_in(viewer):
        return projects.annotate(starred=Value(False))
    return projects.annotate(
        starred=Exists(Star.objects.filter(project=OuterRef("pk"), user=viewer))
    )


def _card_rows(projects: QuerySet[Project], viewer: Any) -> QuerySet[Project]:
    """What a card shows: author, tags, the viewer's star. Two queries for any length."""
    return _with_starred(projects, viewer).select_related("author").prefetch_related("tags")


# --- The gallery -------------------------------------------------------------------------


@dataclass
class GalleryPage:
    projects: list[Project]
    next_cursor: str | None
    sort: str


def _cursor_decode(cursor: str, sort: str) -> tuple[Any, int] | None:
    """The (value, id) a page starts after, or None for a cursor that does not parse."""
    return cursor_decode(cursor, parse=int if sort == "starred" else datetime.fromisoformat)


def _gallery_filtered(
    *,
    viewer: Any,
    tag: str | None,
    cohort: str | None,
    feedback_wanted: bool,
    reviewed: bool,
    mine: bool,
) -> QuerySet[Project]:
    """The gallery's rows for these filters, unordered (project_gallery and project_count)."""
    if mine:
        if not _signed_in(viewer):
            return Project.objects.none()
        projects = Project.objects.filter(author=viewer)
    else:
        projects = Project.objects.filter(state=State.PUBLISHED)
    if tag:
        projects = projects.filter(tags__name=tag.lower())
    if cohort:
        projects = projects.filter(cohort=cohort)
    if feedback_wanted:
        projects = projects.filter(feedback_wanted=True)
    if reviewed:
        projects = projects.filter(last_reviewed_at__isnull=False)
    return projects


def project_count(
    *,
    viewer: Any,
    tag: str | None = None,
    cohort: str | None = None,
    feedback_wanted: bool = False,
    reviewed: bool = False,
    mine: bool = False,
    sort: str = "newest",
) -> int:
    """How many projects project_gallery would list in all (one COUNT query)."""
    return _gallery_filtered(
        viewer=viewer,
        tag=tag,
        cohort=cohort,
        feedback_wanted=feedback_wanted,
        reviewed=reviewed or sort == "reviewed",
        mine=mine,
    ).count()


def project_gallery(
    *,
    viewer: Any,
    tag: str | None = None,
    cohort: str | None = None,
    feedback_wanted: bool = False,
    reviewed: bool = False,
    mine: bool = False,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    backward: bool = False,
) -> GalleryPage:
    """One page of project cards. The gallery lists published projects; `mine` lists the
    viewer's own in every state instead (drafts included). Two queries per page.
    `backward=True` is the page before `cursor` (the GraphQL `last`), in gallery order."""
    sort = sort if sort in SORTS else "newest"
    column = SORTS[sort][0]
    if mine and not _signed_in(viewer):
        return GalleryPage(projects=[], next_cursor=None, sort=sort)
    projects = _gallery_filtered(
        viewer=viewer,
        tag=tag,
        cohort=cohort,
        feedback_wanted=feedback_wanted,
        reviewed=reviewed or sort == "reviewed",
        mine=mine,
    )
    after = _cursor_decode(cursor, sort) if cursor else None
    if after is not None:
        value, pk = after
        # The redundant `<=` (`>=`) bound lets PostgreSQL use it as the index condition.
        if backward:
            projects = projects.filter(
                Q(**{f"{column}__gte": value}),
                Q(**{f"{column}__gt": value}) | Q(**{column: value, "pk__gt": pk}),
            )
        else:
            projects = projects.filter(
                Q(**{f"{column}__lte": value}),
                Q(**{f"{column}__lt": value}) | Q(**{column: value, "pk__lt": pk}),
            )
    order = (column, "pk") if backward else (f"-{column}", "-pk")
    rows = list(_card_rows(projects, viewer).order_by(*order)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = cursor_encode(getattr(last, column), last.pk)
    if backward:
        rows.reverse()
    return GalleryPage(projects=rows, next_cursor=next_cursor, sort=sort)


def starred_project_ids(*, viewer: Any, project_ids: list[int]) -> set[int]:
    """Which of these projects `viewer` starred (one query; none for visitors)."""
    if not _signed_in(viewer) or not project_ids:
        return set()
    stars = Star.objects.filter(user=viewer, project_id__in=project_ids)
    return set(stars.values_list("project_id", flat=True))


def project_cursor(project: Project, sort: str) -> str:
    """The cursor that starts a gallery page right after (or before) `project`."""
    column = SORTS.get(sort, SORTS["newest"])[0]
    return cursor_encode(getattr(project, column), project.pk)


def gallery_cohorts() -> list[str]:
    """Cohorts that have published projects, for the filter."""
    return list(
        Project.objects.filter(state=State.PUBLISHED)
        .exclude(cohort="")
        .order_by("-cohort")
        .values_list("cohort", flat=True)
        .distinct()
    )


def tag_suggestions(*, limit: int = 30) -> list[str]:
    """The program's stack first, then the free tags people use most."""
    used = (
        ProjectTag.objects.exclude(name__in=STACK_TAGS)
        .annotate(n=Count("projects"))
        .filter(n__gt=0)
        .order_by("-n", "name")
        .values_list("name", flat=True)[:limit]
    )
    return [*STACK_TAGS, *used]


# --- One project ---------------------------------------------------------------------------


def project_get_for_viewer(*, viewer: Any, pk: int) -> Project | None:
    """The project if `viewer` may open it (None otherwise: a draft is not found)."""
    return (
        _with_starred(projects_visible_to(viewer), viewer)
        .select_related("author", "reviewer", "hidden_by")
        .filter(pk=pk)
        .first()
    )


@dataclass
class ProjectDetail:
    project: Project
    tags: list[ProjectTag]
    # Top-level feedback, oldest first, each with `.reply_list` (oldest first). Deleted
    # feedback stays as a placeholder only while it has live replies.
    feedback: list[Feedback]
    # Completed reviews, newest first (the history), and the one under way, if any.
    reviews: list[Review]
    open_review: Review | None
    starred: bool = False
    revision_count: int = 0
    questions: list = field(default_factory=list)


def project_detail(*, viewer: Any, project: Project) -> ProjectDetail:
    """Everything the project page shows, in a fixed number of queries (four, after the
    project itself from `project_get_for_viewer`)."""
    tags = list(project.tags.all())
    # Hidden feedback (a mentor's or flags' doing) stays, marked, for mentors and its author.
    rows = list(
        Feedback.objects.filter(project=project)
        .shown_to(viewer)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    by_parent: dict[int, list[Feedback]] = {}
    for row in rows:
        if row.parent_id is not None and not row.is_deleted:
            by_parent.setdefault(row.parent_id, []).append(row)
    feedback = []
    for row in rows:
        if row.parent_id is not None:
            continue
        row.reply_list = by_parent.get(row.pk, [])
        if not row.is_deleted or row.reply_list:
            feedback.append(row)
    reviews = list(
        Review.objects.filter(project=project).select_related("reviewer").order_by("-created_at")
    )
    open_review = next((r for r in reviews if r.completed_at is None), None)
    starred = getattr(project, "starred", None)
    if starred is None:
        starred = _signed_in(viewer) and Star.objects.filter(project=project, user=viewer).exists()
    return ProjectDetail(
        project=project,
        tags=tags,
        feedback=feedback,
        reviews=[r for r in reviews if r.completed_at is not None],
        open_review=open_review,
        starred=bool(starred),
        revision_count=ProjectRevision.objects.filter(project=project).count(),
        # Questions asked about it, as the viewer may see them (the relation and its
        # visibility rule live on the question; no import of discussions needed).
        questions=list(
            project.questions.visible_to(viewer)
            .only("pk", "title", "answer_count", "accepted_answer", "created_at")
            .order_by("-created_at")[:20]
        ),
    )


def project_page(*, viewer: Any, project: Project, **extra: Any) -> dict[str, Any]:
    """The project page's context (its detail and empty forms), for the page, its HTMX
    fragments and its live catch-up (projects.events) alike."""
    return {
        "detail": project_detail(viewer=viewer, project=project),
        "project": project,
        "feedback_form": FeedbackForm(),
        "review_form": ReviewForm(),
        **extra,
    }


def project_revisions(*, viewer: Any, project: Project) -> list[ProjectRevision]:
    """The edit history (visible to whoever may see the project)."""
    if not projects_visible_to(viewer).filter(pk=project.pk).exists():
        return []
    return list(project.revisions.select_related("editor").order_by("-number"))


def feedback_get_for_viewer(*, viewer: Any, pk: int) -> Feedback | None:
    return (
        Feedback.objects.filter(project__in=projects_visible_to(viewer), pk=pk)
        .shown_to(viewer)
        .select_related("author", "project")
        .first()
    )


# --- Mentors and profiles --------------------------------------------------------------


def projects_awaiting_review(*, viewer: Any, limit: int = 50) -> list[Project]:
    """Mentors' queue: published projects whose author asked for a review, oldest request
    first, claimed ones included (showing who is reviewing). Not the mentor's own."""
    if not (_signed_in(viewer) and viewer.is_mentor):
        return []
    projects = (
        Project.objects.filter(
            state=State.PUBLISHED,
            review_state__in=[ReviewState.REQUESTED, ReviewState.IN_REVIEW],
        )
        .exclude(author=viewer)
        .select_related("author", "reviewer")
        .prefetch_related("tags")
        .order_by("review_requested_at", "pk")
    )
    return list(projects[:limit])


def projects_of_user(*, viewer: Any, user: User, limit: int = 50) -> list[Project]:
    """A profile's projects: the published ones, plus drafts and hidden ones when the
    viewer is the owner (and hidden ones for mentors)."""
    projects = projects_visible_to(viewer).filter(author=user)
    return list(_card_rows(projects, viewer).order_by("-listed_at", "-pk")[:limit])


# --- A person's projects and reviews (their profile) ---------------------------------------

PROFILE_PAGE_SIZE = 12


@dataclass
class ProfilePage:
    rows: list[Any]
    next_cursor: str | None


def _profile_page(rows: QuerySet[Any], column: str, cursor: str | None, limit: int) -> ProfilePage:
    """Newest first by (`column`, id), after `cursor` (the gallery's cursor format)."""
    after = _cursor_decode(cursor, "newest") if cursor else None
    if after is not None:
        value, pk = after
        rows = rows.filter(
            Q(**{f"{column}__lte": value}),
            Q(**{f"{column}__lt": value}) | Q(**{column: value, "pk__lt": pk}),
        )
    found = list(rows.order_by(f"-{column}", "-pk")[: limit + 1])
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        next_cursor = cursor_encode(getattr(found[-1], column), found[-1].pk)
    return ProfilePage(rows=found, next_cursor=next_cursor)


def _reviews_by(viewer: Any, user: User) -> QuerySet[Review]:
    """Completed reviews `user` wrote, of projects the viewer may open."""
    return Review.objects.filter(
        reviewer=user,
        completed_at__isnull=False,
        project__in=projects_visible_to(viewer).values("pk"),
    )


def profile_counts(*, viewer: Any, user: User) -> tuple[int, int]:
    """(projects, completed reviews) of `user` the viewer may see: a COUNT each (none for
    reviews when `user` is not a mentor)."""
    projects = projects_visible_to(viewer).filter(author=user).count()
    reviews = _reviews_by(viewer, user).count() if user.is_mentor else 0
    return projects, reviews


def projects_by_user(
    *, viewer: Any, user: User, cursor: str | None = None, limit: int = PROFILE_PAGE_SIZE
) -> ProfilePage:
    """One page of a profile's projects, newest listed first (two queries: the cards and
    their tags)."""
    projects = _card_rows(projects_visible_to(viewer).filter(author=user), viewer)
    return _profile_page(projects, "listed_at", cursor, limit)


def reviews_by_user(
    *, viewer: Any, user: User, cursor: str | None = None, limit: int = PROFILE_PAGE_SIZE
) -> ProfilePage:
    """One page of the reviews a mentor completed, newest first, with their projects and
    the projects' authors (one query)."""
    reviews = _reviews_by(viewer, user).select_related("project", "project__author")
    reviews = reviews.defer("project__description", "project__description_html")
    return _profile_page(reviews, "completed_at", cursor, limit)


# --- Batches for the API doors -------------------------------------------------------------
# A GraphQL list asks for the same nested field on every row of a page: these load it for
# all rows at once (one query per field whatever the page's length), with the visibility of
# the project page.


def projects_get_many(*, viewer: Any, pks: list[int]) -> dict[int, Project]:
    """Projects by id the viewer may open (a draft is not found), with author and the
    viewer's star."""
    rows = _with_starred(projects_visible_to(viewer), viewer).filter(pk__in=pks)
    return {p.pk: p for p in rows.select_related("author", "reviewer")}


def feedback_for_projects(*, viewer: Any, project_ids: list[int]) -> dict[int, list[Feedback]]:
    """Each project's top-level feedback as its page shows it (oldest first, replies in
    `.reply_list`, hidden feedback only for mentors and its author, deleted feedback only
    as a placeholder while it has live replies)."""
    rows = list(
        Feedback.objects.filter(project_id__in=project_ids)
        .shown_to(viewer)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    replies: dict[int, list[Feedback]] = {}
    for row in rows:
        if row.parent_id is not None and not row.is_deleted:
            replies.setdefault(row.parent_id, []).append(row)
    grouped: dict[int, list[Feedback]] = {}
    for row in rows:
        if row.parent_id is not None:
            continue
        row.reply_list = replies.get(row.pk, [])
        if not row.is_deleted or row.reply_list:
            grouped.setdefault(row.project_id, []).append(row)
    return grouped


def reviews_for_projects(*, project_ids: list[int]) -> dict[int, list[Review]]:
    """Each project's reviews, newest first (completed ones and the one under way)."""
    grouped: dict[int, list[Review]] = {}
    reviews = Review.objects.filter(project_id__in=project_ids).select_related("reviewer")
    for review in reviews.order_by("project_id", "-created_at"):
        grouped.setdefault(review.project_id, []).append(review)
    return grouped


def tags_for_projects(*, project_ids: list[int]) -> dict[int, list[ProjectTag]]:
    through = Project.tags.through.objects.filter(project_id__in=project_ids).select_related(
        "projecttag"
    )
    grouped: dict[int, list[ProjectTag]] = {}
    for row in through.order_by("projecttag__name"):
        grouped.setdefault(row.project_id, []).append(row.projecttag)
    return grouped


# --- Search ------------------------------------------------------------------------------
# A project is found when every word (and "phrase") occurs in its title, tags, pitch or
# description: PostgreSQL full text on ProjectSearch, LIKE on SQLite (a word also matching
# a tag by name). Only projects the viewer may open (projects_visible_to).


@dataclass
class ProjectHit:
    project: Project
    snippet: SafeString
    tags: list[str] = field(default_factory=list)


def _tag_word(word: str) -> Q:
    """A tag named by a word: `celery`, or a part of `ci-cd`."""
    word = word.lower()
    return (
        Q(projecttag__name=word)
        | Q(projecttag__name__startswith=f"{word}-")
        | Q(projecttag__name__endswith=f"-{word}")
        | Q(projecttag__name__contains=f"-{word}-")
    )


def _text_q(term: site_search.Term) -> Q:
    found = Q(title__icontains=term.text) | Q(pitch__icontains=term.text)
    found |= Q(description__icontains=term.text)
    if not term.phrase:
        found |= Exists(
            Project.tags.through.objects.filter(_tag_word(term.text), project_id=OuterRef("pk"))
        )
    return found


def _search_query(query: site_search.ParsedQuery) -> SearchQuery:
    return SearchQuery(query.websearch, search_type="websearch", config="english")


def _project_matches(viewer: Any, query: site_search.ParsedQuery) -> QuerySet[Project]:
    projects = projects_visible_to(viewer)
    for tag in query.tags:
        projects = projects.filter(
            Exists(
                Project.tags.through.objects.filter(project_id=OuterRef("pk"), projecttag__name=tag)
            )
        )
    if not query.terms:
        return projects
    if connection.vendor == "postgresql":
        found = ProjectSearch.objects.filter(search_vector=_search_query(query))
        return projects.filter(pk__in=found.values("project_id"))
    for term in query.terms:
        projects = projects.filter(_text_q(term))
    for term in query.excluded:
        projects = projects.exclude(_text_q(term))
    return projects


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


def project_search_page(
    *, viewer: Any, query: site_search.ParsedQuery, offset: int = 0, limit: int = 20
) -> tuple[list[ProjectHit], int]:
    """One page of the projects a parsed query finds (title matches first, then the best
    text matches, then the most starred) and how many there are: four queries (count,
    ids, rows, tags) whatever the page's length."""
    if not query.searchable:
        return [], 0
    matches = _project_matches(viewer, query)
    total = matches.count()
    if not limit or not total:
        return [], total
    postgres = connection.vendor == "postgresql" and bool(query.terms)
    if postgres:
        search = _search_query(query)
        ranks = ProjectSearch.objects.filter(project_id=OuterRef("pk"))
        weights = [0.0, 0.0, 0.0, 1.0]
        ordered = matches.annotate(
            title_rank=Subquery(
                ranks.annotate(r=SearchRank(F("search_vector"), search, weights=weights)).values(
                    "r"
                )[:1]
            ),
            rank=Subquery(ranks.annotate(r=SearchRank(F("search_vector"), search)).values("r")[:1]),
        ).order_by("-title_rank", "-rank", "-star_count", "-pk")
    elif query.terms:
        in_title = Q()
        for term in query.terms:
            in_title &= Q(title__icontains=term.text)
        ordered = matches.annotate(
            title_hit=Case(When(in_title, then=0), default=1, output_field=IntegerField())
        ).order_by("title_hit", "-star_count", "-pk")
    else:
        ordered = matches.order_by("-star_count", "-pk")
    ids = list(ordered.values_list("pk", flat=True)[offset : offset + limit])
    rows = Project.objects.filter(pk__in=ids).select_related("author")
    if postgres:
        rows = rows.annotate(
            description_headline=_headline("description", search),
            pitch_headline=_headline("pitch", search),
        )
    by_id = {p.pk: p for p in rows}
    tags = tags_for_projects(project_ids=ids)
    hits = []
    for pk in ids:
        project = by_id[pk]
        if postgres:
            snippet = site_search.marked(project.description_headline)
            if not site_search.has_mark(snippet):
                snippet = site_search.marked(project.pitch_headline)
        elif site_search.text_matches(project.description, query.needles):
            snippet = site_search.highlight(project.description, query.needles)
        else:
            snippet = site_search.highlight(project.pitch, query.needles)
        hits.append(
            ProjectHit(project=project, snippet=snippet, tags=[t.name for t in tags.get(pk, [])])
        )
    return hits, total
