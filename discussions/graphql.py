"""The GraphQL door of discussions: categories, tags, questions, answers, comments and
revisions; the forum's queries and mutations. Thin: reads come from selectors.py (with the
thread page's visibility), writes from services.py, refusals through the one mapping in
hub.graphql_base. Composed into the schema by hub/graphql.py.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from strawberry import relay
from strawberry.types import Info

from accounts.graphql import UserType
from discussions import permissions, selectors, services
from discussions.models import Answer as AnswerModel
from discussions.models import Category as CategoryModel
from discussions.models import Comment as CommentModel
from discussions.models import PostKind
from discussions.models import Question as QuestionModel
from discussions.models import Revision as RevisionModel
from hub.graphql_base import (
    INPUT,
    Connection,
    Page,
    Paginated,
    Payload,
    batch,
    decode_id,
    live_events,
    nodes_by_ids,
    not_found,
    page_request,
    pks,
    run_service,
    selected_beside,
    target,
    viewer,
)

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


def _answers(info: Info, question: QuestionModel) -> list[AnswerModel]:
    """A question's answers for `answers` (and `acceptedAnswer` beside it), loaded for
    every question listed beside it in one query; they become one another's siblings."""
    return batch(info).load(
        "answers",
        question,
        lambda rows: selectors.answers_for_questions(viewer=viewer(info), question_ids=pks(rows)),
        list,
        children=True,
    )


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
        if batch(info).loaded("answers", root) or selected_beside(info, "answers"):
            # The thread's answers are (or are about to be) loaded: one query serves both
            # fields. Absent from them (hidden from this viewer, deleted): null.
            accepted = root.accepted_answer_id
            return next((a for a in _answers(info, root) if a.pk == accepted), None)

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

        def fetch(rows: list[QuestionModel]) -> dict[int, QuestionModel]:
            # One query for the originals of every question listed beside this one (they
            # become siblings too, so their own nested fields batch as well).
            wanted = [q.duplicate_of_id for q in rows if q.duplicate_of_id]
            found = selectors.questions_get_many(viewer=viewer(info), pks=wanted)
            batch(info).siblings(list(found.values()))
            return {q.pk: found[q.duplicate_of_id] for q in rows if q.duplicate_of_id in found}

        return batch(info).load("duplicate_of", root, fetch)

    @strawberry.field(
        description="The answers the viewer may see, as on the page: accepted first, then "
        "by score, then oldest."
    )
    def answers(self, root: strawberry.Parent[QuestionModel], info: Info) -> list[AnswerType]:
        return _answers(info, root)

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
            batch(info).siblings(list(found.values()))  # their tags, feedback: one query
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


QuestionConnection = Connection[QuestionType]


@strawberry.type
class Query:
    @strawberry.field(description="One question by its global id, or null when not visible.")
    def question(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The question's id.")],
    ) -> QuestionType | None:
        if id.type_name != "Question":
            return None
        try:
            pk = int(id.node_id)
        except ValueError:
            return None
        # Its tags are loaded by `tags` when asked for (most thread queries do not).
        return selectors.question_get(viewer=viewer(info), pk=pk, with_tags=False)

    @strawberry.field(description="The program's categories, in their order.")
    def categories(self) -> list[CategoryType]:
        return list(selectors.category_list())

    @strawberry.field(
        description="Questions, as the list page shows them: pass `first` (with `after`) or "
        "`last` (with `before`), at most 100. With `search`, the best matches (one page, "
        "ranked; `sort` and cursors are ignored).",
        extensions=[Paginated()],
    )
    def questions(
        self,
        info: Info,
        page: Page,
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
        user = viewer(info)

        def cursor_of(question: QuestionModel) -> str:
            return selectors.question_cursor(question, sort.value)

        if search is not None and search.strip():
            hits = selectors.question_search(viewer=user, query=search, limit=page.limit)
            rows = batch(info).siblings([hit.question for hit in hits])
            return page.single(QuestionConnection, rows, cursor_of=cursor_of)
        filter = filter or QuestionFilter()
        category = None
        if filter.category:
            category = selectors.category_get(slug=filter.category)
            if category is None:
                return page.single(QuestionConnection, [], cursor_of=cursor_of)
        filters = {
            "viewer": user,
            "category": category,
            "tag": filter.tag,
            "show": filter.show.value if filter.show else None,
        }
        found = selectors.question_list(
            **filters,
            sort=sort.value,
            cursor=page.cursor,
            limit=page.limit,
            backward=page.backward,
            pinned_first=False,
        )
        return page.connection(
            QuestionConnection,
            batch(info).siblings(found.questions),
            cursor_of=cursor_of,
            more=found.next_cursor is not None,
            count=lambda: selectors.question_count(**filters),
        )

    @strawberry.field(
        description="Full-text search over the questions the viewer may see, best first.",
        deprecation_reason="Use `siteSearch`: the site search as its page runs it, which "
        "finds projects and guide sections too.",
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


# --- Mutations ----------------------------------------------------------------------------
# Each parses its input (explicit fields only: nothing else can be assigned), loads its
# target with the viewer's own visibility, calls one service and maps a refusal once
# (hub.graphql_base.refusal_errors).


@strawberry.input(description="A new question.")
class AskQuestionInput:
    title: str = strawberry.field(description="The question in one line (15-150 characters).")
    body: str = strawberry.field(description="The details, in Markdown.")
    category: str = strawberry.field(description="The category's slug.")
    tags: list[str] = strawberry.field(default_factory=list, description="Up to five tags.")
    project_id: relay.GlobalID | None = strawberry.field(
        default=None, description="A project of yours (or a published one) this is about."
    )


@strawberry.input(description="A question's new text (the revision records who edited).")
class EditQuestionInput:
    id: relay.GlobalID = strawberry.field(description="The question.")
    title: str = strawberry.field(description="The question in one line.")
    body: str = strawberry.field(description="The details, in Markdown.")
    category: str = strawberry.field(description="The category's slug.")
    tags: list[str] = strawberry.field(default_factory=list, description="Up to five tags.")


@strawberry.input(description="A new answer.")
class PostAnswerInput:
    question_id: relay.GlobalID = strawberry.field(description="The question answered.")
    body: str = strawberry.field(description="The answer, in Markdown.")


@strawberry.input(description="A post's new body.")
class EditBodyInput:
    id: relay.GlobalID = strawberry.field(description="The answer or comment.")
    body: str = strawberry.field(description="The new body, in Markdown.")


@strawberry.input(description="A new comment on a question or an answer.")
class PostCommentInput:
    post_id: relay.GlobalID = strawberry.field(description="The question or answer.")
    body: str = strawberry.field(description="The comment (at most 600 characters).")


@strawberry.input(description="Names one object by its global id.")
class IdInput:
    id: relay.GlobalID = strawberry.field(description="The object's global id.")


@strawberry.input(description="Follow or stop following a question.")
class FollowInput:
    id: relay.GlobalID = strawberry.field(description="The question.")
    follow: bool = strawberry.field(description="True to follow, false to stop.")


@strawberry.input(
    description="Watch a category or a tag (exactly one): its new questions notify you."
)
class WatchInput:
    category: str | None = strawberry.field(default=None, description="A category's slug.")
    tag: str | None = strawberry.field(default=None, description="A tag.")
    watching: bool = strawberry.field(description="True to watch, false to stop.")


@strawberry.type(description="The question a mutation made or changed, or its errors.")
class QuestionPayload(Payload):
    question: QuestionType | None = strawberry.field(
        description="The question, as the viewer now sees it (null on error)."
    )


@strawberry.type(description="The answer a mutation made or changed, or its errors.")
class AnswerPayload(Payload):
    answer: AnswerType | None = strawberry.field(description="The answer (null on error).")


@strawberry.type(description="The comment a mutation made or changed, or its errors.")
class CommentPayload(Payload):
    comment: CommentType | None = strawberry.field(description="The comment (null on error).")


@strawberry.type(description="The result of an up-vote toggle.")
class UpvotePayload(Payload):
    upvoted: bool | None = strawberry.field(description="Whether the viewer now up-votes it.")


@strawberry.type(description="Whether a yes/no setting is now on, or the errors.")
class TogglePayload(Payload):
    on: bool | None = strawberry.field(description="The setting now (null on error).")


@strawberry.type(description="Whether a deletion happened, or its errors.")
class DeletePayload(Payload):
    deleted: bool = strawberry.field(description="True when it was deleted.")


def _question(info: Info, raw: Any) -> QuestionModel | None:
    return target(raw, "Question", lambda pk: selectors.question_get(viewer=viewer(info), pk=pk))


def _answer(info: Info, raw: Any) -> AnswerModel | None:
    return target(raw, "Answer", lambda pk: selectors.answer_get(viewer=viewer(info), pk=pk))


def _comment(info: Info, raw: Any) -> CommentModel | None:
    return target(raw, "Comment", lambda pk: selectors.comment_get(viewer=viewer(info), pk=pk))


def _category(slug: str) -> CategoryModel:
    category = selectors.category_get(slug=slug)
    if category is None:
        raise ValidationError({"category": ["No such category."]})
    return category


def _ask(info: Info, data: AskQuestionInput) -> QuestionModel:
    project = None
    if data.project_id is not None:
        from projects.selectors import project_get_for_viewer

        pk = decode_id(data.project_id, "Project")
        project = pk and project_get_for_viewer(viewer=viewer(info), pk=pk)
        if not project:
            raise ValidationError({"project_id": ["No such project."]})
    return services.question_create(
        author=viewer(info),
        title=data.title,
        body=data.body,
        category=_category(data.category),
        tags=data.tags,
        project=project,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Ask a question.")
    def ask_question(
        self,
        info: Info,
        input: Annotated[AskQuestionInput, INPUT],
    ) -> QuestionPayload:
        question, errors = run_service(lambda: _ask(info, input))
        return QuestionPayload(question=question, errors=errors)

    @strawberry.mutation(description="Edit a question (its author, or a mentor).")
    def edit_question(
        self,
        info: Info,
        input: Annotated[EditQuestionInput, INPUT],
    ) -> QuestionPayload:
        question = _question(info, input.id)
        if question is None:
            return QuestionPayload(question=None, errors=not_found("question"))
        edited, errors = run_service(
            lambda: services.question_edit(
                editor=viewer(info),
                question=question,
                title=input.title,
                body=input.body,
                category=_category(input.category),
                tags=input.tags,
            )
        )
        return QuestionPayload(question=edited, errors=errors)

    @strawberry.mutation(description="Delete your question while it has no answers.")
    def delete_question(
        self,
        info: Info,
        input: Annotated[IdInput, INPUT],
    ) -> DeletePayload:
        question = _question(info, input.id)
        if question is None:
            return DeletePayload(deleted=False, errors=not_found("question"))
        _, errors = run_service(
            lambda: services.question_delete(actor=viewer(info), question=question)
        )
        return DeletePayload(deleted=not errors, errors=errors)

    @strawberry.mutation(description="Answer a question.")
    def post_answer(
        self,
        info: Info,
        input: Annotated[PostAnswerInput, INPUT],
    ) -> AnswerPayload:
        question = _question(info, input.question_id)
        if question is None:
            return AnswerPayload(answer=None, errors=not_found("question", "questionId"))
        answer, errors = run_service(
            lambda: services.answer_create(author=viewer(info), question=question, body=input.body)
        )
        return AnswerPayload(answer=answer, errors=errors)

    @strawberry.mutation(description="Edit an answer (its author, or a mentor).")
    def edit_answer(
        self,
        info: Info,
        input: Annotated[EditBodyInput, INPUT],
    ) -> AnswerPayload:
        answer = _answer(info, input.id)
        if answer is None:
            return AnswerPayload(answer=None, errors=not_found("answer"))
        edited, errors = run_service(
            lambda: services.answer_edit(editor=viewer(info), answer=answer, body=input.body)
        )
        return AnswerPayload(answer=edited, errors=errors)

    @strawberry.mutation(description="Delete your answer.")
    def delete_answer(
        self,
        info: Info,
        input: Annotated[IdInput, INPUT],
    ) -> DeletePayload:
        answer = _answer(info, input.id)
        if answer is None:
            return DeletePayload(deleted=False, errors=not_found("answer"))
        _, errors = run_service(lambda: services.answer_delete(actor=viewer(info), answer=answer))
        return DeletePayload(deleted=not errors, errors=errors)

    @strawberry.mutation(description="Comment on a question or an answer.")
    def post_comment(
        self,
        info: Info,
        input: Annotated[PostCommentInput, INPUT],
    ) -> CommentPayload:
        on: dict[str, Any] = {}
        question = _question(info, input.post_id)
        if question is not None:
            on["question"] = question
        else:
            answer = _answer(info, input.post_id)
            if answer is None:
                return CommentPayload(comment=None, errors=not_found("post", "postId"))
            on["answer"] = answer
        comment, errors = run_service(
            lambda: services.comment_create(author=viewer(info), body=input.body, **on)
        )
        return CommentPayload(comment=comment, errors=errors)

    @strawberry.mutation(description="Edit a comment (its author, or a mentor).")
    def edit_comment(
        self,
        info: Info,
        input: Annotated[EditBodyInput, INPUT],
    ) -> CommentPayload:
        comment = _comment(info, input.id)
        if comment is None:
            return CommentPayload(comment=None, errors=not_found("comment"))
        edited, errors = run_service(
            lambda: services.comment_edit(editor=viewer(info), comment=comment, body=input.body)
        )
        return CommentPayload(comment=edited, errors=errors)

    @strawberry.mutation(description="Delete your comment.")
    def delete_comment(
        self,
        info: Info,
        input: Annotated[IdInput, INPUT],
    ) -> DeletePayload:
        comment = _comment(info, input.id)
        if comment is None:
            return DeletePayload(deleted=False, errors=not_found("comment"))
        _, errors = run_service(
            lambda: services.comment_delete(actor=viewer(info), comment=comment)
        )
        return DeletePayload(deleted=not errors, errors=errors)

    @strawberry.mutation(description="Up-vote a question or an answer, or take the vote back.")
    def toggle_upvote(
        self,
        info: Info,
        input: Annotated[IdInput, INPUT],
    ) -> UpvotePayload:
        post = _question(info, input.id) or _answer(info, input.id)
        if post is None:
            return UpvotePayload(upvoted=None, errors=not_found("post"))
        upvoted, errors = run_service(lambda: services.vote_toggle(user=viewer(info), post=post))
        return UpvotePayload(upvoted=upvoted, errors=errors)

    @strawberry.mutation(description="Accept an answer to your question (or, as a mentor, any).")
    def accept_answer(
        self,
        info: Info,
        input: Annotated[IdInput, INPUT],
    ) -> QuestionPayload:
        answer = _answer(info, input.id)
        if answer is None:
            return QuestionPayload(question=None, errors=not_found("answer"))
        question, errors = run_service(
            lambda: services.answer_accept(actor=viewer(info), answer=answer)
        )
        return QuestionPayload(question=question, errors=errors)

    @strawberry.mutation(description="Take back a question's accepted answer.")
    def unaccept_answer(
        self,
        info: Info,
        input: Annotated[IdInput, INPUT],
    ) -> QuestionPayload:
        question = _question(info, input.id)
        if question is None:
            return QuestionPayload(question=None, errors=not_found("question"))
        changed, errors = run_service(
            lambda: services.answer_unaccept(actor=viewer(info), question=question)
        )
        return QuestionPayload(question=changed, errors=errors)

    @strawberry.mutation(description="Follow a question (new answers notify you), or stop.")
    def follow_question(
        self,
        info: Info,
        input: Annotated[FollowInput, INPUT],
    ) -> TogglePayload:
        question = _question(info, input.id)
        if question is None:
            return TogglePayload(on=None, errors=not_found("question"))
        on, errors = run_service(
            lambda: services.question_follow_set(
                user=viewer(info), question=question, follow=input.follow
            )
        )
        return TogglePayload(on=on, errors=errors)

    @strawberry.mutation(description="Watch a category or a tag, or stop.")
    def watch(
        self,
        info: Info,
        input: Annotated[WatchInput, INPUT],
    ) -> TogglePayload:
        def call() -> bool:
            if bool(input.category) == bool(input.tag):
                raise ValidationError("Name exactly one of a category or a tag.")
            category = _category(input.category) if input.category else None
            tag = selectors.tag_get(name=input.tag) if input.tag else None
            if input.tag and tag is None:
                raise ValidationError({"tag": ["No such tag."]})
            return services.watch_set(
                user=viewer(info), watching=input.watching, category=category, tag=tag
            )

        on, errors = run_service(call)
        return TogglePayload(on=on, errors=errors)


# --- Subscriptions ------------------------------------------------------------------------
# Over /ws/graphql/ (graphql-transport-ws). The topic is authorised with the live page's
# own check; each event is only an id, loaded again with the subscriber's visibility, so
# a hidden answer is never pushed to someone who may not see it.


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each new answer to a question, as the viewer may see it (hidden "
        "answers reach only their author and mentors)."
    )
    async def answer_added(
        self,
        info: Info,
        question_id: Annotated[relay.GlobalID, strawberry.argument(description="The question.")],
    ) -> AsyncGenerator[AnswerType, None]:
        pk = decode_id(question_id, "Question") or 0
        async for answer_id in live_events(info, f"question:{pk}", {"answer.created"}):
            found = await database_sync_to_async(selectors.answers_get_many)(
                viewer=viewer(info), pks=[answer_id]
            )
            if answer_id in found:
                yield found[answer_id]

    @strawberry.subscription(
        description="The question each time it changes (edited, answered, accepted, "
        "locked, voted on), as the viewer may see it; nothing once it is hidden from them."
    )
    async def question_updated(
        self,
        info: Info,
        question_id: Annotated[relay.GlobalID, strawberry.argument(description="The question.")],
    ) -> AsyncGenerator[QuestionType, None]:
        pk = decode_id(question_id, "Question") or 0
        async for updated_id in live_events(info, f"question:{pk}", {"question.updated"}):
            question = await database_sync_to_async(selectors.question_get)(
                viewer=viewer(info), pk=updated_id
            )
            if question is not None:
                yield question
