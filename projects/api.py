"""The projects part of the REST API (/api/v1/projects): thin doors onto the showcase's
selectors and services. Drafts are their author's and hidden projects their author's
and mentors': 404 for anyone else, as on the pages."""

from functools import cache

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from hub.api.base import (
    ApiView,
    PageQuery,
    keyset_response,
    keyset_serializer,
    page_cursors,
    query_params,
)
from projects import selectors
from projects.models import Project, Review

_PK = 987654321


@cache
def _pattern(name: str) -> str:
    return reverse(name, args=[_PK]).replace(str(_PK), "{}")


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
        return self.context["request"].build_absolute_uri(
            _pattern("api:project").format(project.pk)
        )

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
        return keyset_response(
            request, data.data, next_cursor=next_cursor, previous_cursor=previous_cursor
        )


def project_or_404(request: Request, pk: int) -> Project:
    project = selectors.project_get_for_viewer(viewer=request.user, pk=pk)
    if project is None:
        raise Http404
    return project


def project_detail_data(request: Request, project: Project) -> dict:
    detail = selectors.project_detail(viewer=request.user, project=project)
    project.starred = detail.starred
    context = {"request": request, "detail": detail}
    return ProjectDetailSerializer(project, context=context).data


class ProjectDetailApi(ApiView):
    @extend_schema(operation_id="project_get",
                   summary="A project with its feedback and reviews",
                   responses=ProjectDetailSerializer, tags=["projects"])  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(project_detail_data(request, project_or_404(request, pk)))
