"""The GraphQL door of discussions: categories, tags, questions, answers, comments and
revisions; the forum's queries and mutations. Thin: reads come from selectors.py (with the
thread page's visibility), writes from services.py, refusals through the one mapping in
hub.graphql_base. Composed into the schema by hub/graphql.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from accounts.graphql import UserType
from discussions import permissions, selectors
from discussions.models import Answer as AnswerModel
from discussions.models import Category as CategoryModel
from discussions.models import Comment as CommentModel
from discussions.models import PostKind
from discussions.models import Question as QuestionModel
from discussions.models import Revision as RevisionModel
from hub.graphql_base import batch, connection, nodes_by_ids, page_request, pks, viewer

if TYPE_CHECKING:
    from projects.graphql import ProjectType

ProjectRef = Annotated["ProjectType", strawberry.lazy("projects.graphql")]


def _model_check(model: type) -> classmethod:
    def is_type_of(cls: type, obj: Any, info: Info) -> bool:
        return isinstance(obj, model)

    return classmethod(is_type_of)


# --- Types ------------------------------------------------------------------------------


@strawberry.type(name="Category", description="A topic of the program (Python, Django, ...).")
class CategoryType(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The category's name.")
    slug: str = strawberry.field(description="The short name used in filters and URLs.")
    description: str = strawberry.field(description="One line about what belongs here.")
    is_type_of = _model_check(CategoryModel)

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        def get_many(pks: list[int]) -> dict[int, CategoryModel]:
            return {c.pk: c for c in CategoryModel.objects.filter(pk__in=pks)}

        return nodes_by_ids(node_ids, get_many, required)


@strawberry.type(name="Tag", description="A lower-case label on questions (`django-orm`).")
class TagType:
    name: str = strawberry.field(description="The tag itself.")


@strawberry.type(name="Revision", description="One version of a post: number 1 is the original.")
class RevisionType:
    number: int = strawberry.field(description="1 for the original, one more per edit.")
    title: str = strawberry.field(description="The question's title then (empty for others).")
    body: str = strawberry.field(description="The Markdown source of this version.")
    created_at: datetime = strawberry.field(description="When this version was saved.")

    @strawberry.field(description="Who wrote this version (the author or a mentor).")
    def editor(self, root: strawberry.Parent[RevisionModel]) -> UserType:
        return root.editor


def _revisions(info: Info, kind: str, post: Any) -> list[RevisionModel]:
    return batch(info).load(
        f"revisions.{kind}",
        post,
        lambda rows: selectors.revisions_for_posts(kind=kind, post_ids=pks(rows)),
        list,
    )


def _comments(info: Info, kind: str, post: Any) -> list[CommentModel]:
    rows = batch(info).load(
        f"comments.{kind}",
        post,
        lambda rows: selectors.comments_for_posts(
            viewer=viewer(info), kind=kind, post_ids=pks(rows)
        ),
        list,
        children=True,
    )
    return rows


def _voted(info: Info, kind: str, post: Any) -> bool:
    voted = batch(info).load(
        f"voted.{kind}",
        post,
        lambda rows: dict.fromkeys(
            selectors.voted_post_ids(user=viewer(info), kind=kind, post_ids=pks(rows)), True
        ),
        lambda: False,
    )
    return bool(voted)


@strawberry.type(name="Question", description="A question asked in the forum.")
class QuestionType(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="The question in one line.")
    body: str = strawberry.field(description="The Markdown source, as written.")
    body_html: str = strawberry.field(description="The body rendered to sanitised HTML.")
    excerpt: str = strawberry.field(description="The start of the body, as plain text.")
    score: int = strawberry.field(description="Up-votes received.")
    answer_count: int = strawberry.field(description="Answers shown to learners.")
    comment_count: int = strawberry.field(description="Comments on the question itself.")
    is_answered: bool = strawberry.field(description="Whether an answer was accepted.")
    has_mentor_answer: bool = strawberry.field(description="Whether a mentor has answered.")
    is_pinned: bool = strawberry.field(description="Pinned by a mentor at its category's top.")
    is_locked: bool = strawberry.field(description="Locked by a mentor: no answers or comments.")
    lock_reason: str = strawberry.field(description="Why it was locked (empty when open).")
    is_hidden: bool = strawberry.field(
        description="Hidden by a mentor or by flags; only its author and mentors see it at all."
    )
    created_at: datetime = strawberry.field(description="When it was asked.")
    edited_at: datetime | None = strawberry.field(description="When it was last edited.")
    last_activity_at: datetime = strawberry.field(description="The latest answer, comment or edit.")
    is_type_of = _model_check(QuestionModel)

    @strawberry.field(description="Who asked.")
    def author(self, root: strawberry.Parent[QuestionModel]) -> UserType:
        return root.author

    @strawberry.field(description="The category it was asked in.")
    def category(self, root: strawberry.Parent[QuestionModel]) -> CategoryType:
        return root.category

    @strawberry.field(description="Its tags, alphabetical.")
    def tags(self, root: strawberry.Parent[QuestionModel], info: Info) -> list[TagType]:
        if "tags" in getattr(root, "_prefetched_objects_cache", {}):
            return list(root.tags.all())
        return batch(info).load(
            "tags", root, lambda rows: selectors.tags_for_questions(question_ids=pks(rows)), list
        )

    @strawberry.field(description="The path of the question's page.")
    def url(self, root: strawberry.Parent[QuestionModel]) -> str:
        return root.get_absolute_url()

    @strawberry.field(
        description="The accepted answer, or null (also when the viewer may not see it)."
    )
    def accepted_answer(
        self, root: strawberry.Parent[QuestionModel], info: Info
    ) -> AnswerType | None:
        if root.accepted_answer_id is None:
            return None

        def fetch(rows: list[QuestionModel]) -> dict[int, AnswerModel]:
            found = selectors.answers_get_many(
                viewer=viewer(info),
                pks=[q.accepted_answer_id for q in rows if q.accepted_answer_id],
            )
            return {
                q.pk: found[q.accepted_answer_id] for q in rows if q.accepted_answer_id in found
            }

        return batch(info).load("accepted", root, fetch)

    @strawberry.field(
        description="The original this question duplicates, or null (also when not visible)."
    )
    def duplicate_of(
        self, root: strawberry.Parent[QuestionModel], info: Info
    ) -> QuestionType | None:
        if root.duplicate_of_id is None:
            return None
        return selectors.question_get(viewer=viewer(info), pk=root.duplicate_of_id)

    @strawberry.field(
        description="The answers the viewer may see, as on the page: accepted first, then "
        "by score, then oldest."
    )
    def answers(self, root: strawberry.Parent[QuestionModel], info: Info) -> list[AnswerType]:
        rows = batch(info).load(
            "answers",
            root,
            lambda rows: selectors.answers_for_questions(
                viewer=viewer(info), question_ids=pks(rows)
            ),
            list,
            children=True,
        )
        return rows

    @strawberry.field(description="Comments on the question itself, oldest first.")
    def comments(self, root: strawberry.Parent[QuestionModel], info: Info) -> list[CommentType]:
        return _comments(info, PostKind.QUESTION, root)

    @strawberry.field(description="Every version of the question, oldest first.")
    def revisions(self, root: strawberry.Parent[QuestionModel], info: Info) -> list[RevisionType]:
        return _revisions(info, PostKind.QUESTION, root)

    @strawberry.field(
        description="The project this question is about, or null (also when it is a draft "
        "the viewer may not see)."
    )
    def project(self, root: strawberry.Parent[QuestionModel], info: Info) -> ProjectRef | None:
        if root.project_id is None:
            return None
        # A question may point at a project (the model does too); the reverse never.
        from projects.selectors import projects_get_many

        def fetch(rows: list[QuestionModel]) -> dict[int, Any]:
            found = projects_get_many(
                viewer=viewer(info), pks=[q.project_id for q in rows if q.project_id]
            )
            return {q.pk: found[q.project_id] for q in rows if q.project_id in found}

        return batch(info).load("project", root, fetch)

    @strawberry.field(description="Whether the viewer may answer it now.")
    def viewer_can_answer(self, root: strawberry.Parent[QuestionModel], info: Info) -> bool:
        return permissions.can_answer(viewer(info), root)

    @strawberry.field(description="Whether the viewer may accept (or unaccept) an answer here.")
    def viewer_can_accept(self, root: strawberry.Parent[QuestionModel], info: Info) -> bool:
        return permissions.can_accept(viewer(info), root)

    @strawberry.field(description="Whether the viewer may edit it.")
    def viewer_can_edit(self, root: strawberry.Parent[QuestionModel], info: Info) -> bool:
        return permissions.can_edit(viewer(info), root)

    @strawberry.field(description="Whether the viewer up-voted it.")
    def viewer_has_upvoted(self, root: strawberry.Parent[QuestionModel], info: Info) -> bool:
        return _voted(info, PostKind.QUESTION, root)

    @strawberry.field(description="Whether the viewer follows it (notified of new answers).")
    def viewer_is_following(self, root: strawberry.Parent[QuestionModel], info: Info) -> bool:
        following = batch(info).load(
            "following",
            root,
            lambda rows: dict.fromkeys(
                selectors.followed_question_ids(user=viewer(info), question_ids=pks(rows)), True
            ),
            lambda: False,
        )
        return bool(following)

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return nodes_by_ids(
            node_ids,
            lambda pks: selectors.questions_get_many(viewer=viewer(info), pks=pks),
            required,
        )


@strawberry.type(name="Answer", description="An answer to a question.")
class AnswerType(relay.Node):
    id: relay.NodeID[int]
    body: str = strawberry.field(description="The Markdown source, as written.")
    body_html: str = strawberry.field(description="The body rendered to sanitised HTML.")
    score: int = strawberry.field(description="Up-votes received.")
    comment_count: int = strawberry.field(description="Comments on this answer.")
    by_mentor: bool = strawberry.field(description="Written by a mentor (a badge kept for good).")
    is_hidden: bool = strawberry.field(
        description="Hidden by a mentor or by flags; only its author and mentors see it at all."
    )
    created_at: datetime = strawberry.field(description="When it was posted.")
    edited_at: datetime | None = strawberry.field(description="When it was last edited.")
    is_type_of = _model_check(AnswerModel)

    @strawberry.field(description="Who answered.")
    def author(self, root: strawberry.Parent[AnswerModel]) -> UserType:
        return root.author

    @strawberry.field(description="The question it answers.")
    def question(self, root: strawberry.Parent[AnswerModel]) -> QuestionType:
        return root.question

    @strawberry.field(description="Whether it is the question's accepted answer.")
    def is_accepted(self, root: strawberry.Parent[AnswerModel]) -> bool:
        return root.question.accepted_answer_id == root.pk

    @strawberry.field(description="The path of the answer on its question's page.")
    def url(self, root: strawberry.Parent[AnswerModel]) -> str:
        return root.get_absolute_url()

    @strawberry.field(description="Comments on this answer, oldest first.")
    def comments(self, root: strawberry.Parent[AnswerModel], info: Info) -> list[CommentType]:
        return _comments(info, PostKind.ANSWER, root)

    @strawberry.field(description="Every version of the answer, oldest first.")
    def revisions(self, root: strawberry.Parent[AnswerModel], info: Info) -> list[RevisionType]:
        return _revisions(info, PostKind.ANSWER, root)

    @strawberry.field(description="Whether the viewer up-voted it.")
    def viewer_has_upvoted(self, root: strawberry.Parent[AnswerModel], info: Info) -> bool:
        return _voted(info, PostKind.ANSWER, root)

    @strawberry.field(description="Whether the viewer may edit it.")
    def viewer_can_edit(self, root: strawberry.Parent[AnswerModel], info: Info) -> bool:
        return permissions.can_edit(viewer(info), root)

    @strawberry.field(description="Whether the viewer may delete it.")
    def viewer_can_delete(self, root: strawberry.Parent[AnswerModel], info: Info) -> bool:
        return permissions.can_delete(viewer(info), root)

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return nodes_by_ids(
            node_ids,
            lambda pks: selectors.answers_get_many(viewer=viewer(info), pks=pks),
            required,
        )


@strawberry.type(name="Comment", description="A short remark on a question or an answer.")
class CommentType(relay.Node):
    id: relay.NodeID[int]
    body: str = strawberry.field(description="The Markdown source, as written.")
    body_html: str = strawberry.field(description="The body rendered to sanitised HTML.")
    is_hidden: bool = strawberry.field(
        description="Hidden by a mentor or by flags; only its author and mentors see it at all."
    )
    created_at: datetime = strawberry.field(description="When it was posted.")
    edited_at: datetime | None = strawberry.field(description="When it was last edited.")
    is_type_of = _model_check(CommentModel)

    @strawberry.field(description="Who commented.")
    def author(self, root: strawberry.Parent[CommentModel]) -> UserType:
        return root.author

    @strawberry.field(description="Whether the viewer may edit it.")
    def viewer_can_edit(self, root: strawberry.Parent[CommentModel], info: Info) -> bool:
        return permissions.can_edit(viewer(info), root)

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        def get_many(pks: list[int]) -> dict[int, CommentModel]:
            found = (selectors.comment_get(viewer=viewer(info), pk=pk) for pk in pks[:MAX_NODES])
            return {c.pk: c for c in found if c is not None}

        return nodes_by_ids(node_ids, get_many, required)


MAX_NODES = 100


@strawberry.type(name="SearchHit", description="A question found by a search.")
class SearchHitType:
    @strawberry.field(description="The question found.")
    def question(self, root: strawberry.Parent[selectors.SearchResult]) -> QuestionType:
        return root.question

    @strawberry.field(
        description="A passage of the body with the matched words in `<mark>` (HTML-escaped)."
    )
    def snippet(self, root: strawberry.Parent[selectors.SearchResult]) -> str:
        return str(root.snippet)


# --- Queries ------------------------------------------------------------------------------


@strawberry.enum(description="The orders of the question list.")
class QuestionSort(Enum):
    ACTIVE = "active"
    NEWEST = "newest"
    TOP = "top"


@strawberry.enum(description="The slices of the question list.")
class QuestionShow(Enum):
    UNANSWERED = "unanswered"
    NEEDS_MENTOR = "needs_mentor"
    MINE = "mine"
    FOLLOWED = "followed"


@strawberry.input(description="Which questions to list (all given conditions apply).")
class QuestionFilter:
    category: str | None = strawberry.field(
        default=None, description="A category's slug, e.g. `django`."
    )
    tag: str | None = strawberry.field(default=None, description="A tag, e.g. `django-orm`.")
    show: QuestionShow | None = strawberry.field(
        default=None, description="A slice: unanswered, needing a mentor, mine or followed."
    )


QuestionConnection = relay.Connection[QuestionType]


@strawberry.type
class Query:
    @strawberry.field(description="One question by its global id, or null when not visible.")
    def question(self, info: Info, id: relay.GlobalID) -> QuestionType | None:
        if id.type_name != "Question":
            return None
        try:
            pk = int(id.node_id)
        except ValueError:
            return None
        return selectors.question_get(viewer=viewer(info), pk=pk)

    @strawberry.field(description="The program's categories, in their order.")
    def categories(self) -> list[CategoryType]:
        return list(selectors.category_list())

    @strawberry.field(
        description="Questions, as the list page shows them: pass `first` (with `after`) or "
        "`last` (with `before`), at most 100. With `search`, the best matches (one page, "
        "ranked; `sort` and cursors are ignored)."
    )
    def questions(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="Rows from the start.")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="A cursor to start after.")
        ] = None,
        last: Annotated[int | None, strawberry.argument(description="Rows before the end.")] = None,
        before: Annotated[
            str | None, strawberry.argument(description="A cursor to end before.")
        ] = None,
        filter: Annotated[
            QuestionFilter | None, strawberry.argument(description="Which questions.")
        ] = None,
        sort: Annotated[
            QuestionSort, strawberry.argument(description="The order (most active first).")
        ] = QuestionSort.ACTIVE,
        search: Annotated[
            str | None, strawberry.argument(description="Words to search for (full text).")
        ] = None,
    ) -> QuestionConnection:
        limit, backward = page_request(first, last)
        user = viewer(info)
        if search is not None and search.strip():
            rows = [
                hit.question
                for hit in selectors.question_search(viewer=user, query=search, limit=limit)
            ]
            return connection(
                QuestionConnection,
                batch(info).siblings(rows),
                cursor_of=lambda q: selectors.question_cursor(q, sort.value),
                backward=False,
                more=False,
                has_cursor=False,
            )
        filter = filter or QuestionFilter()
        category = None
        if filter.category:
            category = selectors.category_get(slug=filter.category)
            if category is None:
                return connection(
                    QuestionConnection,
                    [],
                    cursor_of=str,
                    backward=False,
                    more=False,
                    has_cursor=False,
                )
        cursor = before if backward else after
        page = selectors.question_list(
            viewer=user,
            category=category,
            tag=filter.tag,
            show=filter.show.value if filter.show else None,
            sort=sort.value,
            cursor=cursor,
            limit=limit,
            backward=backward,
            pinned_first=False,
        )
        return connection(
            QuestionConnection,
            batch(info).siblings(page.questions),
            cursor_of=lambda q: selectors.question_cursor(q, sort.value),
            backward=backward,
            more=page.next_cursor is not None,
            has_cursor=bool(cursor),
        )

    @strawberry.field(
        description="Full-text search over the questions the viewer may see, best first."
    )
    def search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="Words to search for.")],
        first: Annotated[int, strawberry.argument(description="How many hits (1-100).")] = 20,
    ) -> list[SearchHitType]:
        limit, _ = page_request(first, None)
        hits = selectors.question_search(viewer=viewer(info), query=query, limit=limit)
        batch(info).siblings([hit.question for hit in hits])
        return hits
