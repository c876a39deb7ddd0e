"""The projects part of the REST API (/api/v1/projects): thin doors onto the showcase's
selectors and services. Drafts are their author's and hidden projects their author's
and mentors': 404 for anyone else, as on the pages."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Track
from hub.api.base import (
    ApiView,
    PageQuery,
    StrictInput,
    api_url,
    body_params,
    found,
    keyset_response,
    keyset_serializer,
    known,
    link_field,
    page_cursors,
    query_params,
    request_example,
)
from hub.api.shared import shared_read, viewer_kind, whole_body
from projects import selectors, services
from projects.models import (
    DESCRIPTION_MAX,
    FEEDBACK_MAX,
    FEEDBACK_NOTE_MAX,
    PITCH_MAX,
    REVIEW_FIELD_MAX,
    TAG_MAX_LENGTH,
    TAGS_PER_PROJECT,
    TITLE_MAX,
    TITLE_MIN,
    URL_MAX,
    Project,
    Review,
    Verdict,
)


class PersonSerializer(serializers.Serializer):
    handle = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()


class ProjectSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    title = serializers.CharField()
    pitch = serializers.CharField()
    author = PersonSerializer()
    tags = serializers.SerializerMethodField()
    cohort = serializers.CharField()
    track = serializers.CharField()
    state = serializers.CharField(help_text="draft, published or hidden (yours or mentors').")
    repository_url = serializers.CharField()
    demo_url = serializers.CharField()
    docs_url = serializers.CharField()
    feedback_wanted = serializers.BooleanField()
    review_state = serializers.CharField()
    star_count = serializers.IntegerField()
    feedback_count = serializers.IntegerField()
    starred = serializers.BooleanField(help_text="Whether you starred it.")
    listed_at = serializers.DateTimeField()
    last_reviewed_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, project: Project) -> str:
        return api_url(self.context["request"], "api:project", project.pk)

    def get_html_url(self, project: Project) -> str:
        return self.context["request"].build_absolute_uri(project.get_absolute_url())

    def get_tags(self, project: Project) -> list[str]:
        return [tag.name for tag in project.tags.all()]  # prefetched by the selector


class FeedbackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = PersonSerializer()
    body_html = serializers.SerializerMethodField()
    by_mentor = serializers.BooleanField()
    is_deleted = serializers.BooleanField()
    is_hidden = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    replies = serializers.SerializerMethodField()

    def get_body_html(self, feedback) -> str:
        return "" if feedback.is_deleted else feedback.body_html

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_replies(self, feedback) -> list[dict]:
        replies = getattr(feedback, "reply_list", [])
        return FeedbackSerializer(replies, many=True, context=self.context).data


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reviewer = PersonSerializer(allow_null=True)
    verdict = serializers.CharField()
    html = serializers.DictField(child=serializers.CharField(),
                                 help_text="Each written part, as sanitised HTML.")  # fmt: skip
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class OpenReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reviewer = PersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class ProjectDetailSerializer(ProjectSummarySerializer):
    description = serializers.CharField(help_text="The Markdown as written.")
    description_html = serializers.CharField()
    feedback_note = serializers.CharField()
    hidden_reason = serializers.CharField()
    feedback = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()
    open_review = serializers.SerializerMethodField()

    @extend_schema_field(FeedbackSerializer(many=True))
    def get_feedback(self, project: Project) -> list[dict]:
        return FeedbackSerializer(self.context["detail"].feedback, many=True).data

    @extend_schema_field(ReviewSerializer(many=True))
    def get_reviews(self, project: Project) -> list[dict]:
        return ReviewSerializer(self.context["detail"].reviews, many=True).data

    @extend_schema_field(OpenReviewSerializer(allow_null=True))
    def get_open_review(self, project: Project) -> dict | None:
        review: Review | None = self.context["detail"].open_review
        return OpenReviewSerializer(review).data if review else None

    def get_tags(self, project: Project) -> list[str]:
        return [tag.name for tag in self.context["detail"].tags]


class ProjectListQuery(PageQuery):
    tag = serializers.CharField(required=False, max_length=30)
    cohort = serializers.CharField(required=False, max_length=40)
    feedback_wanted = serializers.BooleanField(required=False, default=False)
    reviewed = serializers.BooleanField(required=False, default=False)
    mine = serializers.BooleanField(
        required=False, default=False, help_text="Your own projects in every state."
    )
    sort = serializers.ChoiceField(choices=list(selectors.SORTS), required=False,
                                   default="newest")  # fmt: skip


ProjectPageSerializer = keyset_serializer("ProjectPage", ProjectSummarySerializer)


class ProjectListApi(ApiView):
    @extend_schema(operation_id="projects_list",
                   summary="The project gallery (or your own with `mine`)",
                   parameters=[ProjectListQuery], responses=ProjectPageSerializer,
                   tags=["projects"])  # fmt: skip
    def get(self, request: Request) -> Response:
        params = query_params(ProjectListQuery, request)
        data = project_list_data(request, params)
        return keyset_response(
            request, data["results"], next_cursor=data["next"], previous_cursor=data["previous"]
        )


def _gallery_page(request: Request, params: dict) -> dict:
    """The gallery's cards for this viewer, serialised, with the cursors on either side."""
    before = params.get("before")
    cursor = before or params.get("after")
    page = selectors.project_gallery(
        viewer=request.user,
        tag=params.get("tag"),
        cohort=params.get("cohort"),
        feedback_wanted=params["feedback_wanted"],
        reviewed=params["reviewed"],
        mine=params["mine"],
        sort=params["sort"],
        cursor=cursor,
        backward=bool(before),
        limit=params["limit"],
    )
    next_cursor, previous_cursor = page_cursors(
        page.projects,
        further=page.next_cursor,
        backward=bool(before),
        had_cursor=bool(cursor),
        cursor_of=lambda p: selectors.project_cursor(p, page.sort),
    )
    data = ProjectSummarySerializer(page.projects, many=True, context={"request": request})
    return {"results": data.data, "next": next_cursor, "previous": previous_cursor}


def project_list_data(request: Request, params: dict) -> dict:
    """A gallery page, shared (hub.api.shared) by everyone: it lists published projects
    only, whoever asks. What differs is each card's `starred`: the shared copy has none,
    and a member's stars are laid over it from one small query (a page computed for them
    is kept with their stars taken out). `mine` is per member: computed as without a cache."""
    signed_in = viewer_kind(request) != "anonymous"
    if signed_in and params["mine"]:
        return _gallery_page(request, params)
    own: list[dict] = []

    def compute() -> dict:
        own.append(_gallery_page(request, params))
        rows = [{**row, "starred": False} for row in own[0]["results"]]
        return {**own[0], "results": rows}

    shared = shared_read(request, "api-projects", deps=[("projects", "")],
                         compute=compute)  # fmt: skip
    if shared.computed:
        return own[0]
    data = shared.value
    if signed_in:
        starred = selectors.starred_project_ids(
            viewer=request.user, project_ids=[row["id"] for row in data["results"]]
        )
        if starred:  # the member's stars laid over it: theirs, with no Last-Modified
            rows = [{**row, "starred": row["id"] in starred} for row in data["results"]]
            return {**data, "results": rows}
    # The shared copy is the whole body (its Last-Modified: hub.api.shared).
    return whole_body(request, shared)


def project_or_404(request: Request, pk: int) -> Project:
    return found(selectors.project_get_for_viewer(viewer=request.user, pk=pk))


def project_detail_data(request: Request, project: Project) -> dict:
    detail = selectors.project_detail(viewer=request.user, project=project)
    project.starred = detail.starred
    context = {"request": request, "detail": detail}
    return ProjectDetailSerializer(project, context=context).data


def project_detail_shared(request: Request, project: Project) -> dict:
    """A project as project_detail_data gives it, shared by visitors once per version of
    the project (("project", id), bumped by its events). Signed in, it is computed as
    without a cache: hidden feedback is shown to its author and mentors, and the star is
    the viewer's."""
    if viewer_kind(request) != "anonymous":
        return project_detail_data(request, project)
    shared = shared_read(
        request, "api-project", deps=[("project", project.pk)],
        parts=[project.pk], compute=lambda: project_detail_data(request, project),
    )  # fmt: skip
    return whole_body(request, shared)  # the whole body (its Last-Modified: hub.api.shared)


class ProjectDetailApi(ApiView):
    @extend_schema(operation_id="project_get",
                   summary="A project with its feedback and reviews",
                   responses=ProjectDetailSerializer, tags=["projects"])  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(project_detail_shared(request, project_or_404(request, pk)))


# --- Writes -------------------------------------------------------------------------------


@request_example(
    "A new pitch and a demo",
    {
        "pitch": "A study planner for cohorts, with reminders by email.",
        "demo_url": "https://planner.example.com/",
        "tags": ["django", "htmx"],
        "feedback_wanted": True,
        "feedback_note": "Is the data model right for recurring sessions?",
    },
)
class ProjectInput(StrictInput):
    title = serializers.CharField(min_length=TITLE_MIN, max_length=TITLE_MAX)
    pitch = serializers.CharField(max_length=PITCH_MAX)
    repository_url = link_field(max_length=URL_MAX)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=DESCRIPTION_MAX, trim_whitespace=False
    )
    demo_url = link_field(max_length=URL_MAX, required=False, allow_blank=True)
    docs_url = link_field(max_length=URL_MAX, required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=TAG_MAX_LENGTH),
                                 required=False, max_length=TAGS_PER_PROJECT)  # fmt: skip
    cohort = serializers.CharField(required=False, allow_blank=True, max_length=40)
    track = serializers.ChoiceField(choices=Track.choices, required=False, allow_blank=True)
    feedback_wanted = serializers.BooleanField(required=False)
    feedback_note = serializers.CharField(required=False, allow_blank=True,
                                          max_length=FEEDBACK_NOTE_MAX)  # fmt: skip


@request_example(
    "A draft project",
    {
        "title": "Cohort planner",
        "pitch": "A study planner for cohorts, with reminders by email.",
        "repository_url": "https://github.com/ada-lovelace/cohort-planner",
        "description": "Built with Django and HTMX; PostgreSQL; Celery for reminders.",
        "tags": ["django", "htmx"],
        "cohort": "2026-spring",
        "track": "fullstack",
        "feedback_wanted": True,
        "feedback_note": "Is the data model right for recurring sessions?",
        "publish": False,
    },
)
class ProjectCreateInput(ProjectInput):
    publish = serializers.BooleanField(required=False, default=False,
                                       help_text="Publish at once (default: a draft).")  # fmt: skip


_EDITABLE = [name for name in ProjectInput().fields]


class StarSerializer(serializers.Serializer):
    starred = serializers.BooleanField()
    star_count = serializers.IntegerField()


@request_example(
    "Feedback",
    {"body": "The README's setup steps worked first time. Consider an index on session dates."},
)
class FeedbackInput(StrictInput):
    body = serializers.CharField(max_length=FEEDBACK_MAX, trim_whitespace=False)
    parent = serializers.IntegerField(required=False, help_text="Reply to this feedback.")


@request_example(
    "Needs work",
    {
        "verdict": "needs_work",
        "works": "Clear models and a service layer.",
        "improve": "Add tests for the reminder task and its retries.",
        "notes_tests": "No test covers a reminder sent twice.",
    },
)
class ReviewInput(StrictInput):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    works = serializers.CharField(required=False, allow_blank=True,
                                         max_length=REVIEW_FIELD_MAX)  # fmt: skip
    improve = serializers.CharField(required=False, allow_blank=True,
                                         max_length=REVIEW_FIELD_MAX)  # fmt: skip
    notes_api_design = serializers.CharField(required=False, allow_blank=True,
                                         max_length=REVIEW_FIELD_MAX)  # fmt: skip
    notes_data_model = serializers.CharField(required=False, allow_blank=True,
                                         max_length=REVIEW_FIELD_MAX)  # fmt: skip
    notes_tests = serializers.CharField(required=False, allow_blank=True,
                                         max_length=REVIEW_FIELD_MAX)  # fmt: skip
    notes_deployment = serializers.CharField(required=False, allow_blank=True,
                                         max_length=REVIEW_FIELD_MAX)  # fmt: skip


def _fresh(request: Request, pk: int) -> Response:
    return Response(project_detail_data(request, project_or_404(request, pk)))


class ProjectCreateApi(ProjectListApi):
    @extend_schema(operation_id="project_create", summary="Share a project (a draft unless "
                   "`publish`)", request=ProjectCreateInput,
                   responses={201: ProjectDetailSerializer}, tags=["projects"])  # fmt: skip
    def post(self, request: Request) -> Response:
        data = body_params(ProjectCreateInput, request)
        project = services.project_create(author=request.user, **data)
        body = project_detail_data(request, project_or_404(request, project.pk))
        location = api_url(request, "api:project", project.pk)
        return Response(body, status=201, headers={"Location": location})


class ProjectEditApi(ProjectDetailApi):
    @extend_schema(operation_id="project_edit", summary="Edit your project (a revision is "
                   "kept)", request=ProjectInput(partial=True),
                   responses=ProjectDetailSerializer, tags=["projects"])  # fmt: skip
    def patch(self, request: Request, pk: int) -> Response:
        project = project_or_404(request, pk)
        data = body_params(ProjectInput, request, partial=True)
        current = {name: getattr(project, name) for name in _EDITABLE if name != "tags"}
        current["tags"] = [tag.name for tag in project.tags.all()]
        services.project_edit(editor=request.user, project=project, **{**current, **data})
        return _fresh(request, pk)


class ProjectActionApi(ApiView):
    """POST runs one of the project's verbs (publish, unpublish, review request/claim)."""

    action: str = ""
    summaries = {
        "publish": "Publish your draft",
        "unpublish": "Take your project back to a draft",
        "review_request": "Ask the mentors for a review",
        "review_claim": "Claim a requested review (mentors)",
        "review_release": "Give a claimed review back (mentors)",
    }

    def post(self, request: Request, pk: int) -> Response:
        project = project_or_404(request, pk)
        user = request.user
        if self.action == "publish":
            services.project_publish(actor=user, project=project)
        elif self.action == "unpublish":
            services.project_unpublish(actor=user, project=project)
        elif self.action == "review_request":
            services.review_request(actor=user, project=project)
        elif self.action == "review_claim":
            services.review_claim(mentor=user, project=project)
        elif self.action == "review_release":
            services.review_release(mentor=user, project=project)
        return _fresh(request, pk)


def project_action_view(action: str):
    """One view class per verb, each with its own schema entry."""

    def post(self, request: Request, pk: int) -> Response:
        return ProjectActionApi.post(self, request, pk)

    post = extend_schema(
        operation_id=f"project_{action}",
        summary=ProjectActionApi.summaries[action],
        request=None,
        responses=ProjectDetailSerializer,
        tags=["projects"],
    )(post)
    name = f"Project{action.title().replace('_', '')}Api"
    return type(name, (ProjectActionApi,), {"post": post, "action": action}).as_view()


class ReviewSubmitApi(ApiView):
    @extend_schema(operation_id="project_review_submit",
                   summary="Submit the review you claimed (mentors)", request=ReviewInput,
                   responses=ProjectDetailSerializer, tags=["projects"])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        project = project_or_404(request, pk)
        data = body_params(ReviewInput, request)
        services.review_submit(mentor=request.user, project=project, **data)
        return _fresh(request, pk)


class StarApi(ApiView):
    def _set(self, request: Request, pk: int, want: bool) -> Response:
        project = project_or_404(request, pk)
        starred = bool(project.starred)
        if starred != want:
            starred = services.star_toggle(user=request.user, project=project)
        return Response({"starred": starred, "star_count": project.star_count})

    @extend_schema(operation_id="project_star", summary="Star a project", request=None,
                   responses=StarSerializer, tags=["projects"])  # fmt: skip
    def put(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, True)

    @extend_schema(operation_id="project_unstar", summary="Take your star back", request=None,
                   responses=StarSerializer, tags=["projects"])  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        return self._set(request, pk, False)


class FeedbackCreateApi(ApiView):
    @extend_schema(operation_id="feedback_create",
                   summary="Give feedback on a project (or reply to feedback)",
                   request=FeedbackInput, responses={201: FeedbackSerializer},
                   tags=["projects"])  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        project = project_or_404(request, pk)
        data = body_params(FeedbackInput, request)
        parent = None
        if "parent" in data:
            parent = selectors.feedback_get_for_viewer(viewer=request.user, pk=data["parent"])
            parent = known(parent, "parent", "No such feedback.")
        feedback = services.feedback_create(author=request.user, project=project,
                                            body=data["body"], parent=parent)  # fmt: skip
        feedback.reply_list = []
        return Response(FeedbackSerializer(feedback).data, status=201)


class FeedbackApi(ApiView):
    """One piece of feedback: DELETE removes yours; a mentor's removal of anyone's is a
    moderation action (logged, the author told)."""

    @extend_schema(operation_id="feedback_delete",
                   summary="Delete your feedback (mentors: anyone's, logged and the author told)",
                   responses={204: None}, tags=["projects"])  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        feedback = found(selectors.feedback_get_for_viewer(viewer=request.user, pk=pk))
        services.feedback_delete(actor=request.user, feedback=feedback)
        return Response(status=204)
