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
    path("categories/<slug:key>/watch", discussions_api.WatchApi.as_view(kind="category")),
    path("tags/<str:key>/watch", discussions_api.WatchApi.as_view(kind="tag")),
    path("questions", discussions_api.QuestionCreateApi.as_view(), name="questions"),
    path("questions/<int:pk>", discussions_api.QuestionEditApi.as_view(), name="question"),
    path("questions/<int:pk>/answers", discussions_api.AnswerCreateApi.as_view()),
    path(
        "questions/<int:pk>/comments",
        discussions_api.CommentCreateApi.as_view(kind=PostKind.QUESTION),
    ),
    path("questions/<int:pk>/vote", discussions_api.VoteApi.as_view(kind=PostKind.QUESTION)),
    path("questions/<int:pk>/follow", discussions_api.FollowApi.as_view()),
    path("questions/<int:pk>/mute", discussions_api.MuteApi.as_view()),
    path(
        "questions/<int:pk>/revisions",
        discussions_api.RevisionListApi.as_view(kind=PostKind.QUESTION),
        name="question_revisions",
    ),
    path("answers/<int:pk>", discussions_api.AnswerEditApi.as_view(), name="answer"),
    path(
        "answers/<int:pk>/comments",
        discussions_api.CommentCreateApi.as_view(kind=PostKind.ANSWER),
    ),
    path("answers/<int:pk>/vote", discussions_api.VoteApi.as_view(kind=PostKind.ANSWER)),
    path("answers/<int:pk>/accept", discussions_api.AcceptApi.as_view()),
    path("comments/<int:pk>", discussions_api.CommentApi.as_view(), name="comment"),
    path(
        "answers/<int:pk>/revisions",
        discussions_api.RevisionListApi.as_view(kind=PostKind.ANSWER),
        name="answer_revisions",
    ),
    path("projects", projects_api.ProjectCreateApi.as_view(), name="projects"),
    path("projects/<int:pk>", projects_api.ProjectEditApi.as_view(), name="project"),
    path("projects/<int:pk>/publish", projects_api.project_action_view("publish")),
    path("projects/<int:pk>/unpublish", projects_api.project_action_view("unpublish")),
    path("projects/<int:pk>/review/request", projects_api.project_action_view("review_request")),
    path("projects/<int:pk>/review/claim", projects_api.project_action_view("review_claim")),
    path("projects/<int:pk>/review/release", projects_api.project_action_view("review_release")),
    path("projects/<int:pk>/review/submit", projects_api.ReviewSubmitApi.as_view()),
    path("projects/<int:pk>/star", projects_api.StarApi.as_view()),
    path("projects/<int:pk>/feedback", projects_api.FeedbackCreateApi.as_view()),
    path("notifications", notifications_api.NotificationListApi.as_view(), name="notifications"),
    path("notifications/read", notifications_api.NotificationReadAllApi.as_view()),
    path("notifications/preferences", notifications_api.PreferencesApi.as_view()),
    path("notifications/<int:pk>/read", notifications_api.NotificationReadApi.as_view()),
    path("schema/", views.schema_view, name="schema"),
    path("docs/", views.swagger_view, name="docs"),
    path("redoc/", views.redoc_view, name="redoc"),
    path("problems/<slug:slug>", views.ProblemTypeApi.as_view(), name="problem"),
]

urlpatterns += [re_path(r"^.*$", views.NotFoundApi.as_view())]
