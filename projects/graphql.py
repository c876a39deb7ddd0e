"""The GraphQL door of projects: the showcase, feedback and mentor reviews. Thin: reads
from selectors.py (a draft is its author's alone, a hidden project its author's and the
mentors'), writes from services.py. Composed into the schema by hub/graphql.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from accounts.graphql import UserType
from hub.graphql_base import (
    INPUT,
    Connection,
    Page,
    Paginated,
    Payload,
    batch,
    nodes_by_ids,
    not_found,
    pks,
    run_service,
    target,
    viewer,
)
from projects import permissions, selectors, services
from projects.models import Feedback as FeedbackModel
from projects.models import Project as ProjectModel
from projects.models import Review as ReviewModel


@strawberry.type(name="Review", description="A mentor's review of a project.")
class ReviewType:
    verdict: str = strawberry.field(description="`looks_good` or `needs_work`.")
    works: str = strawberry.field(description="What works well (Markdown).")
    improve: str = strawberry.field(description="What to improve next (Markdown).")
    notes_api_design: str = strawberry.field(description="Notes on the API design (Markdown).")
    notes_data_model: str = strawberry.field(description="Notes on the data model (Markdown).")
    notes_tests: str = strawberry.field(description="Notes on the tests (Markdown).")
    notes_deployment: str = strawberry.field(description="Notes on deployment (Markdown).")
    created_at: datetime = strawberry.field(description="When the mentor claimed the review.")
    completed_at: datetime = strawberry.field(description="When the review was submitted.")

    @strawberry.field(description="The mentor who wrote it.")
    def reviewer(self, root: strawberry.Parent[ReviewModel]) -> UserType:
        return root.reviewer

    @strawberry.field(
        description="Each non-empty text field rendered to sanitised HTML, as a JSON object "
        "keyed by field name (`works`, `improve`, ...)."
    )
    def html(self, root: strawberry.Parent[ReviewModel]) -> strawberry.scalars.JSON:
        return root.html


@strawberry.type(name="Feedback", description="Feedback on a project, or a reply to feedback.")
class FeedbackType(relay.Node):
    id: relay.NodeID[int]
    by_mentor: bool = strawberry.field(description="Written by a mentor.")
    is_deleted: bool = strawberry.field(
        description="Deleted by its author: kept as an empty placeholder while it has replies."
    )
    is_hidden: bool = strawberry.field(
        description="Hidden by a mentor or by flags; only its author and mentors see it at all."
    )
    created_at: datetime = strawberry.field(description="When it was posted.")
    edited_at: datetime | None = strawberry.field(description="When it was last edited.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, FeedbackModel)

    @strawberry.field(description="The Markdown source (empty once deleted).")
    def body(self, root: strawberry.Parent[FeedbackModel]) -> str:
        return "" if root.is_deleted else root.body

    @strawberry.field(description="The body rendered to sanitised HTML (empty once deleted).")
    def body_html(self, root: strawberry.Parent[FeedbackModel]) -> str:
        return "" if root.is_deleted else root.body_html

    @strawberry.field(description="Who wrote it.")
    def author(self, root: strawberry.Parent[FeedbackModel]) -> UserType:
        return root.author

    @strawberry.field(description="Replies to it, oldest first (replies have none).")
    def replies(self, root: strawberry.Parent[FeedbackModel]) -> list[FeedbackType]:
        return getattr(root, "reply_list", [])

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        def get_many(ids: list[int]) -> dict[int, FeedbackModel]:
            found = (selectors.feedback_get_for_viewer(viewer=viewer(info), pk=pk) for pk in ids)
            return {f.pk: f for f in found if f is not None and not f.is_deleted}

        return nodes_by_ids(node_ids, get_many, required)


@strawberry.type(name="Project", description="A project a learner built, shown for feedback.")
class ProjectType(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="The project's name.")
    pitch: str = strawberry.field(description="One line: what it is, for whom.")
    description: str = strawberry.field(description="The Markdown source of the description.")
    description_html: str = strawberry.field(description="The description as sanitised HTML.")
    repository_url: str = strawberry.field(description="The code's repository.")
    demo_url: str = strawberry.field(description="A live demo, or empty.")
    docs_url: str = strawberry.field(description="The API docs, or empty.")
    cohort: str = strawberry.field(description="The author's cohort, or empty.")
    track: str = strawberry.field(description="The program track, or empty.")
    state: str = strawberry.field(
        description="`published`; or, for its author (and mentors), `draft` or `hidden`."
    )
    feedback_wanted: bool = strawberry.field(description="Whether the author asks for feedback.")
    feedback_note: str = strawberry.field(description="What the author would like feedback on.")
    review_state: str = strawberry.field(
        description="`none`, `requested`, `in_review` or `reviewed`."
    )
    star_count: int = strawberry.field(description="Stars received.")
    feedback_count: int = strawberry.field(description="Feedback posts.")
    created_at: datetime = strawberry.field(description="When it was shared.")
    updated_at: datetime = strawberry.field(description="When it was last edited.")
    published_at: datetime | None = strawberry.field(description="When it was first published.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, ProjectModel)

    @strawberry.field(description="Who built it.")
    def author(self, root: strawberry.Parent[ProjectModel]) -> UserType:
        return root.author

    @strawberry.field(description="The path of the project's page.")
    def url(self, root: strawberry.Parent[ProjectModel]) -> str:
        return root.get_absolute_url()

    @strawberry.field(description="Its tags, alphabetical.")
    def tags(self, root: strawberry.Parent[ProjectModel], info: Info) -> list[str]:
        if "tags" in getattr(root, "_prefetched_objects_cache", {}):
            return [t.name for t in root.tags.all()]
        tags = batch(info).load(
            "tags", root, lambda rows: selectors.tags_for_projects(project_ids=pks(rows)), list
        )
        return [t.name for t in tags]

    @strawberry.field(description="Feedback on it, oldest first, each with its replies.")
    def feedback(self, root: strawberry.Parent[ProjectModel], info: Info) -> list[FeedbackType]:
        return batch(info).load(
            "feedback",
            root,
            lambda rows: selectors.feedback_for_projects(
                viewer=viewer(info), project_ids=pks(rows)
            ),
            list,
            children=True,
        )

    @strawberry.field(description="Completed mentor reviews, newest first.")
    def reviews(self, root: strawberry.Parent[ProjectModel], info: Info) -> list[ReviewType]:
        reviews = batch(info).load(
            "reviews",
            root,
            lambda rows: selectors.reviews_for_projects(project_ids=pks(rows)),
            list,
        )
        return [r for r in reviews if r.completed_at is not None]

    @strawberry.field(description="The mentor reviewing it now, or null.")
    def reviewer(self, root: strawberry.Parent[ProjectModel]) -> UserType | None:
        return root.reviewer if root.reviewer_id else None

    @strawberry.field(description="Whether the viewer starred it.")
    def viewer_has_starred(self, root: strawberry.Parent[ProjectModel]) -> bool:
        return bool(getattr(root, "starred", False))

    @strawberry.field(description="Whether the viewer may edit it (its author).")
    def viewer_can_edit(self, root: strawberry.Parent[ProjectModel], info: Info) -> bool:
        return permissions.can_edit(viewer(info), root)

    @strawberry.field(description="Whether the viewer may give feedback now.")
    def viewer_can_give_feedback(self, root: strawberry.Parent[ProjectModel], info: Info) -> bool:
        return permissions.can_give_feedback(viewer(info), root)

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return nodes_by_ids(
            node_ids,
            lambda ids: selectors.projects_get_many(viewer=viewer(info), pks=ids),
            required,
        )


@strawberry.enum(description="The orders of the project gallery.")
class ProjectSort(Enum):
    NEWEST = "newest"
    STARRED = "starred"
    REVIEWED = "reviewed"


@strawberry.input(description="Which projects to list (all given conditions apply).")
class ProjectFilter:
    tag: str | None = strawberry.field(default=None, description="A tag, e.g. `celery`.")
    cohort: str | None = strawberry.field(default=None, description="A cohort, e.g. `2026-spring`.")
    feedback_wanted: bool = strawberry.field(
        default=False, description="Only projects whose authors ask for feedback."
    )
    reviewed: bool = strawberry.field(default=False, description="Only reviewed projects.")
    mine: bool = strawberry.field(
        default=False, description="The viewer's own projects in every state (drafts too)."
    )


ProjectConnection = Connection[ProjectType]


@strawberry.type
class Query:
    @strawberry.field(
        description="The project gallery (published projects; `mine` for the viewer's own): "
        "pass `first` (with `after`) or `last` (with `before`), at most 100.",
        extensions=[Paginated()],
    )
    def projects(
        self,
        info: Info,
        page: Page,
        filter: Annotated[
            ProjectFilter | None, strawberry.argument(description="Which projects.")
        ] = None,
        sort: Annotated[
            ProjectSort, strawberry.argument(description="The order (newest first).")
        ] = ProjectSort.NEWEST,
    ) -> ProjectConnection:
        filter = filter or ProjectFilter()
        filters = {
            "viewer": viewer(info),
            "tag": filter.tag,
            "cohort": filter.cohort,
            "feedback_wanted": filter.feedback_wanted,
            "reviewed": filter.reviewed,
            "mine": filter.mine,
            "sort": sort.value,
        }
        found = selectors.project_gallery(
            **filters, cursor=page.cursor, limit=page.limit, backward=page.backward
        )
        return page.connection(
            ProjectConnection,
            batch(info).siblings(found.projects),
            cursor_of=lambda p: selectors.project_cursor(p, found.sort),
            more=found.next_cursor is not None,
            count=lambda: selectors.project_count(**filters),
        )


# --- Mutations ----------------------------------------------------------------------------
# Explicit input fields only (state, counters, reviewer and the like cannot be assigned);
# targets loaded with the viewer's visibility; one service each; refusals mapped once.


@strawberry.input(description="A project's text and links.")
class ProjectInput:
    title: str = strawberry.field(description="The project's name (3-120 characters).")
    pitch: str = strawberry.field(description="One line: what it is, for whom.")
    repository_url: str = strawberry.field(description="The code's repository (https).")
    description: str = strawberry.field(default="", description="More, in Markdown.")
    demo_url: str = strawberry.field(default="", description="A live demo (https), or empty.")
    docs_url: str = strawberry.field(default="", description="The API docs (https), or empty.")
    tags: list[str] = strawberry.field(default_factory=list, description="Up to eight tags.")
    cohort: str = strawberry.field(default="", description="Your cohort, e.g. `2026-spring`.")
    track: str = strawberry.field(default="", description="`backend`, `frontend`, ... or empty.")
    feedback_wanted: bool = strawberry.field(default=False, description="Ask for feedback.")
    feedback_note: str = strawberry.field(default="", description="What feedback you want.")


@strawberry.input(description="A new project: a draft unless `publish` is true.")
class ShareProjectInput(ProjectInput):
    publish: bool = strawberry.field(default=False, description="Publish it at once.")


@strawberry.input(description="A project's new text and links (its author only).")
class EditProjectInput(ProjectInput):
    id: relay.GlobalID = strawberry.field(description="The project.")


@strawberry.input(description="Names one project or feedback by its global id.")
class ProjectIdInput:
    id: relay.GlobalID = strawberry.field(description="The object's global id.")


@strawberry.input(description="Feedback on a project, or a reply to feedback.")
class PostFeedbackInput:
    project_id: relay.GlobalID = strawberry.field(description="The project.")
    body: str = strawberry.field(description="The feedback, in Markdown.")
    parent_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The feedback this replies to (top-level feedback only)."
    )


@strawberry.input(description="Feedback's new body.")
class EditFeedbackInput:
    id: relay.GlobalID = strawberry.field(description="The feedback.")
    body: str = strawberry.field(description="The new body, in Markdown.")


@strawberry.input(description="A mentor's completed review of the project they claimed.")
class SubmitReviewInput:
    project_id: relay.GlobalID = strawberry.field(description="The project.")
    verdict: str = strawberry.field(description="`looks_good` or `needs_work`.")
    works: str = strawberry.field(default="", description="What works well (Markdown).")
    improve: str = strawberry.field(default="", description="What to improve (Markdown).")
    notes_api_design: str = strawberry.field(default="", description="API design notes.")
    notes_data_model: str = strawberry.field(default="", description="Data model notes.")
    notes_tests: str = strawberry.field(default="", description="Notes on the tests.")
    notes_deployment: str = strawberry.field(default="", description="Deployment notes.")


@strawberry.type(description="The project a mutation made or changed, or its errors.")
class ProjectPayload(Payload):
    project: ProjectType | None = strawberry.field(description="The project (null on error).")


@strawberry.type(description="The feedback a mutation made or changed, or its errors.")
class FeedbackPayload(Payload):
    feedback: FeedbackType | None = strawberry.field(description="The feedback (null on error).")


@strawberry.type(description="The review a mutation made or completed, or its errors.")
class ReviewPayload(Payload):
    review: ReviewType | None = strawberry.field(description="The review (null on error).")


@strawberry.type(description="Whether the viewer now stars the project, or the errors.")
class StarPayload(Payload):
    starred: bool | None = strawberry.field(description="True when starred (null on error).")


def _project(info: Info, raw: Any) -> ProjectModel | None:
    return target(
        raw, "Project", lambda pk: selectors.project_get_for_viewer(viewer=viewer(info), pk=pk)
    )


def _feedback(info: Info, raw: Any) -> FeedbackModel | None:
    return target(
        raw, "Feedback", lambda pk: selectors.feedback_get_for_viewer(viewer=viewer(info), pk=pk)
    )


def _fields(data: ProjectInput) -> dict[str, Any]:
    return {
        "title": data.title,
        "pitch": data.pitch,
        "repository_url": data.repository_url,
        "description": data.description,
        "demo_url": data.demo_url,
        "docs_url": data.docs_url,
        "tags": data.tags,
        "cohort": data.cohort,
        "track": data.track,
        "feedback_wanted": data.feedback_wanted,
        "feedback_note": data.feedback_note,
    }


def _on_project(
    info: Info, raw: Any, call: Callable[[ProjectModel], ProjectModel]
) -> ProjectPayload:
    project = _project(info, raw)
    if project is None:
        return ProjectPayload(project=None, errors=not_found("project"))
    changed, errors = run_service(lambda: call(project))
    return ProjectPayload(project=changed, errors=errors)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Share a project (a draft until published).")
    def share_project(
        self,
        info: Info,
        input: Annotated[ShareProjectInput, INPUT],
    ) -> ProjectPayload:
        project, errors = run_service(
            lambda: services.project_create(
                author=viewer(info), publish=input.publish, **_fields(input)
            )
        )
        return ProjectPayload(project=project, errors=errors)

    @strawberry.mutation(description="Edit your project's text and links.")
    def edit_project(
        self,
        info: Info,
        input: Annotated[EditProjectInput, INPUT],
    ) -> ProjectPayload:
        return _on_project(
            info,
            input.id,
            lambda p: services.project_edit(editor=viewer(info), project=p, **_fields(input)),
        )

    @strawberry.mutation(description="Publish your draft project.")
    def publish_project(
        self,
        info: Info,
        input: Annotated[ProjectIdInput, INPUT],
    ) -> ProjectPayload:
        return _on_project(
            info, input.id, lambda p: services.project_publish(actor=viewer(info), project=p)
        )

    @strawberry.mutation(description="Take your published project back to a draft.")
    def unpublish_project(
        self,
        info: Info,
        input: Annotated[ProjectIdInput, INPUT],
    ) -> ProjectPayload:
        return _on_project(
            info, input.id, lambda p: services.project_unpublish(actor=viewer(info), project=p)
        )

    @strawberry.mutation(description="Star a published project (not your own), or unstar it.")
    def toggle_star(
        self,
        info: Info,
        input: Annotated[ProjectIdInput, INPUT],
    ) -> StarPayload:
        project = _project(info, input.id)
        if project is None:
            return StarPayload(starred=None, errors=not_found("project"))
        starred, errors = run_service(
            lambda: services.star_toggle(user=viewer(info), project=project)
        )
        return StarPayload(starred=starred, errors=errors)

    @strawberry.mutation(description="Give feedback on a published project, or reply to some.")
    def post_feedback(
        self,
        info: Info,
        input: Annotated[PostFeedbackInput, INPUT],
    ) -> FeedbackPayload:
        project = _project(info, input.project_id)
        if project is None:
            return FeedbackPayload(feedback=None, errors=not_found("project", "projectId"))
        parent = None
        if input.parent_id is not None:
            parent = _feedback(info, input.parent_id)
            if parent is None:
                return FeedbackPayload(feedback=None, errors=not_found("feedback", "parentId"))
        feedback, errors = run_service(
            lambda: services.feedback_create(
                author=viewer(info), project=project, body=input.body, parent=parent
            )
        )
        return FeedbackPayload(feedback=feedback, errors=errors)

    @strawberry.mutation(description="Edit your feedback.")
    def edit_feedback(
        self,
        info: Info,
        input: Annotated[EditFeedbackInput, INPUT],
    ) -> FeedbackPayload:
        feedback = _feedback(info, input.id)
        if feedback is None:
            return FeedbackPayload(feedback=None, errors=not_found("feedback"))
        edited, errors = run_service(
            lambda: services.feedback_edit(editor=viewer(info), feedback=feedback, body=input.body)
        )
        return FeedbackPayload(feedback=edited, errors=errors)

    @strawberry.mutation(description="Delete your feedback (mentors: anyone's).")
    def delete_feedback(
        self,
        info: Info,
        input: Annotated[ProjectIdInput, INPUT],
    ) -> FeedbackPayload:
        feedback = _feedback(info, input.id)
        if feedback is None:
            return FeedbackPayload(feedback=None, errors=not_found("feedback"))
        _, errors = run_service(
            lambda: services.feedback_delete(actor=viewer(info), feedback=feedback)
        )
        return FeedbackPayload(feedback=None, errors=errors)

    @strawberry.mutation(description="Ask the mentors to review your published project.")
    def request_review(
        self,
        info: Info,
        input: Annotated[ProjectIdInput, INPUT],
    ) -> ProjectPayload:
        return _on_project(
            info, input.id, lambda p: services.review_request(actor=viewer(info), project=p)
        )

    @strawberry.mutation(description="Claim a requested review (mentors).")
    def claim_review(
        self,
        info: Info,
        input: Annotated[ProjectIdInput, INPUT],
    ) -> ReviewPayload:
        project = _project(info, input.id)
        if project is None:
            return ReviewPayload(review=None, errors=not_found("project"))
        review, errors = run_service(
            lambda: services.review_claim(mentor=viewer(info), project=project)
        )
        return ReviewPayload(review=review, errors=errors)

    @strawberry.mutation(description="Give back a review you claimed (mentors).")
    def release_review(
        self,
        info: Info,
        input: Annotated[ProjectIdInput, INPUT],
    ) -> ProjectPayload:
        return _on_project(
            info, input.id, lambda p: services.review_release(mentor=viewer(info), project=p)
        )

    @strawberry.mutation(description="Submit the review you claimed (mentors).")
    def submit_review(
        self,
        info: Info,
        input: Annotated[SubmitReviewInput, INPUT],
    ) -> ReviewPayload:
        project = _project(info, input.project_id)
        if project is None:
            return ReviewPayload(review=None, errors=not_found("project", "projectId"))
        review, errors = run_service(
            lambda: services.review_submit(
                mentor=viewer(info),
                project=project,
                verdict=input.verdict,
                works=input.works,
                improve=input.improve,
                notes_api_design=input.notes_api_design,
                notes_data_model=input.notes_data_model,
                notes_tests=input.notes_tests,
                notes_deployment=input.notes_deployment,
            )
        )
        return ReviewPayload(review=review, errors=errors)
