"""/api/v1/: composes each app's api.py (with hub/urls.py, the only upward imports)."""

from django.urls import path, re_path

from accounts import api as accounts_api
from discussions import api as discussions_api
from discussions.models import PostKind
from guides import api as guides_api
from hub.api import schema, views  # noqa: F401 - schema registers the auth extension
from moderation import api as moderation_api
from notifications import api as notifications_api
from projects import api as projects_api
from webhooks import api as webhooks_api

app_name = "api"

RESOURCES = (
    ("me", "api:me"),
    ("categories", "api:categories"),
    ("tags", "api:tags"),
    ("questions", "api:questions"),
    ("projects", "api:projects"),
    ("notifications", "api:notifications"),
    ("guides", "api:guides"),
    ("flags", "api:flags"),
    ("moderation_queue", "api:moderation_queue"),
    ("moderation_log", "api:moderation_log"),
    ("webhooks", "api:webhooks"),
    ("schema", "api:schema"),
    ("docs", "api:docs"),
)

urlpatterns = [
    path("", views.ApiRootApi.as_view(resources=RESOURCES), name="root"),
    path("me", accounts_api.MeApi.as_view(), name="me"),
    path("me/tokens", accounts_api.TokenListApi.as_view(), name="me_tokens"),
    path("me/tokens/<int:pk>", accounts_api.TokenApi.as_view(), name="me_token"),
    path("me/tokens/<int:pk>/revoke", accounts_api.TokenRevokeApi.as_view()),
    path("me/sign-out-everywhere", accounts_api.SignOutEverywhereApi.as_view()),
    path("users", discussions_api.HandleSuggestApi.as_view(), name="people"),
    path("users/<str:handle>", accounts_api.PersonApi.as_view(), name="person"),
    path("markdown/preview", discussions_api.MarkdownPreviewApi.as_view()),
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
    path("feedback/<int:pk>", projects_api.FeedbackApi.as_view()),
    path("notifications", notifications_api.NotificationListApi.as_view(), name="notifications"),
    path("notifications/read", notifications_api.NotificationReadAllApi.as_view()),
    path("notifications/preferences", notifications_api.PreferencesApi.as_view()),
    path("notifications/<int:pk>/read", notifications_api.NotificationReadApi.as_view()),
    # Flags and the mentors' tools (moderation/api.py).
    path("flags", moderation_api.FlagCreateApi.as_view(), name="flags"),
    path("mod/queue", moderation_api.QueueApi.as_view(), name="moderation_queue"),
    path("mod/log", moderation_api.LogApi.as_view(), name="moderation_log"),
    path("mod/cases/<int:pk>/claim", moderation_api.case_action_view("claim")),
    path("mod/cases/<int:pk>/release", moderation_api.case_action_view("release")),
    path("mod/cases/<int:pk>/resolve", moderation_api.case_action_view("resolve")),
    path("mod/hidden/<str:kind>/<int:pk>", moderation_api.HideApi.as_view()),
    path("mod/saved-replies", moderation_api.SavedReplyListApi.as_view()),
    path("mod/saved-replies/<int:pk>", moderation_api.SavedReplyApi.as_view()),
    path("questions/<int:pk>/claim", moderation_api.WaitingClaimApi.as_view()),
    path("questions/<int:pk>/pin", moderation_api.PinApi.as_view()),
    path("questions/<int:pk>/lock", moderation_api.LockApi.as_view()),
    path("questions/<int:pk>/move", moderation_api.MoveApi.as_view()),
    path("questions/<int:pk>/duplicate", moderation_api.DuplicateApi.as_view()),
    path("questions/<int:pk>/mentor-notes", moderation_api.MentorNoteApi.as_view()),
    path("questions/<int:pk>/ask-mentor", moderation_api.AskMentorApi.as_view()),
    path("users/<str:handle>/suspension", moderation_api.SuspensionApi.as_view()),
    # The guide (guides/api.py).
    path("guides", guides_api.GuideListApi.as_view(), name="guides"),
    path("guides/<slug:slug>", guides_api.GuideDetailApi.as_view()),
    path("guides/<slug:slug>/sections", guides_api.SectionCreateApi.as_view()),
    path("guide-sections/<int:pk>", guides_api.SectionApi.as_view()),
    path("guide-sections/<int:pk>/revisions", guides_api.SectionRevisionsApi.as_view()),
    path("guide-sections/<int:pk>/revert", guides_api.SectionRevertApi.as_view()),
    path("guide-sections/<int:pk>/review", guides_api.SectionReviewApi.as_view()),
    path("guide-sections/<int:pk>/helpful", guides_api.HelpfulApi.as_view()),
    path("guide-sections/<int:pk>/proposals", guides_api.ProposalCreateApi.as_view()),
    path("guide-proposals/<int:pk>", guides_api.ProposalApi.as_view()),
    path("guide-proposals/<int:pk>/accept", guides_api.ProposalAcceptApi.as_view()),
    path("guide-proposals/<int:pk>/decline", guides_api.ProposalDeclineApi.as_view()),
    path("guide-feedback/<int:pk>/handled", guides_api.FeedbackHandleApi.as_view()),
    path("answers/<int:pk>/promote", guides_api.PromoteApi.as_view()),
    path("questions/<int:pk>/answered-in-guide", guides_api.AnsweredInGuideApi.as_view()),
    # The signed-in person's webhooks (webhooks/api.py).
    path("webhooks", webhooks_api.WebhookListApi.as_view(), name="webhooks"),
    path("webhooks/<int:pk>", webhooks_api.WebhookApi.as_view()),
    path("webhooks/<int:pk>/secret", webhooks_api.WebhookSecretApi.as_view()),
    path("webhooks/<int:pk>/deliveries", webhooks_api.DeliveryListApi.as_view()),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/redeliver",
        webhooks_api.RedeliverApi.as_view(),
    ),
    path("schema/", views.schema_view, name="schema"),
    path("docs/", views.swagger_view, name="docs"),
    path("redoc/", views.redoc_view, name="redoc"),
    path("problems/<slug:slug>", views.ProblemTypeApi.as_view(), name="problem"),
]

urlpatterns += [re_path(r"^.*$", views.NotFoundApi.as_view())]
