"""/api/v1/: composes each app's api.py (with hub/urls.py, the only upward imports)."""

from django.urls import path, re_path

from accounts import api as accounts_api
from discussions import api as discussions_api
from discussions.models import PostKind
from hub.api import schema, views  # noqa: F401 - schema registers the auth extension
from notifications import api as notifications_api
from projects import api as projects_api

app_name = "api"

RESOURCES = (
    ("me", "api:me"),
    ("categories", "api:categories"),
    ("tags", "api:tags"),
    ("questions", "api:questions"),
    ("projects", "api:projects"),
    ("notifications", "api:notifications"),
    ("schema", "api:schema"),
    ("docs", "api:docs"),
)

urlpatterns = [
    path("", views.ApiRootApi.as_view(resources=RESOURCES), name="root"),
    path("me", accounts_api.MeApi.as_view(), name="me"),
    path("categories", discussions_api.CategoryListApi.as_view(), name="categories"),
    path("tags", discussions_api.TagListApi.as_view(), name="tags"),
    path("questions", discussions_api.QuestionListApi.as_view(), name="questions"),
    path("questions/<int:pk>", discussions_api.QuestionDetailApi.as_view(), name="question"),
    path(
        "questions/<int:pk>/revisions",
        discussions_api.RevisionListApi.as_view(kind=PostKind.QUESTION),
        name="question_revisions",
    ),
    path("answers/<int:pk>", discussions_api.AnswerDetailApi.as_view(), name="answer"),
    path(
        "answers/<int:pk>/revisions",
        discussions_api.RevisionListApi.as_view(kind=PostKind.ANSWER),
        name="answer_revisions",
    ),
    path("projects", projects_api.ProjectListApi.as_view(), name="projects"),
    path("projects/<int:pk>", projects_api.ProjectDetailApi.as_view(), name="project"),
    path("notifications", notifications_api.NotificationListApi.as_view(), name="notifications"),
    path("schema/", views.schema_view, name="schema"),
    path("docs/", views.swagger_view, name="docs"),
    path("redoc/", views.redoc_view, name="redoc"),
    path("problems/<slug:slug>", views.ProblemTypeApi.as_view(), name="problem"),
]

urlpatterns += [re_path(r"^.*$", views.NotFoundApi.as_view())]
