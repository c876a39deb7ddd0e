from django.urls import path, register_converter

from moderation import queue_views, views


class TargetKindConverter:
    """The kinds of post a flag or a hide can point at."""

    regex = "question|answer|comment|project|feedback"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TargetKindConverter, "targetkind")

app_name = "moderation"

urlpatterns = [
    # The mentors' queue and log (moderation/queue_views.py).
    path("mod/", queue_views.queue_view, name="queue"),
    path("mod/log/", queue_views.log_view, name="log"),
    path("mod/case/<int:pk>/claim", queue_views.case_claim_view, name="case_claim"),
    path("mod/case/<int:pk>/release", queue_views.case_release_view, name="case_release"),
    path("mod/case/<int:pk>/resolve", queue_views.case_resolve_view, name="case_resolve"),
    path("mod/waiting/<int:pk>/claim", queue_views.question_claim_view, name="question_claim"),
    path(
        "mod/waiting/<int:pk>/release", queue_views.question_release_view, name="question_release"
    ),
    # Everyone's flags, and mentors' tools where the content is (moderation/views.py).
    path("flag/<targetkind:kind>/<int:pk>", views.flag_view, name="flag"),
    path("mod/hide/<targetkind:kind>/<int:pk>", views.hide_view, name="hide"),
    path("mod/unhide/<targetkind:kind>/<int:pk>", views.unhide_view, name="unhide"),
    path("mod/q/<int:pk>/notes", views.mentor_note_view, name="mentor_note"),
    path("mod/q/<int:pk>/<str:action>", views.question_action_view, name="question_action"),
    path("q/<int:pk>/ask-mentor", views.ask_mentor_view, name="ask_mentor"),
    path("mod/replies/", views.saved_replies_view, name="saved_replies"),
    path("mod/replies/<int:pk>/edit", views.saved_reply_edit_view, name="saved_reply_edit"),
    path("mod/replies/<int:pk>/delete", views.saved_reply_delete_view, name="saved_reply_delete"),
    path("mod/u/<str:handle>/suspend", views.suspend_view, name="suspend"),
    path("mod/u/<str:handle>/lift", views.suspension_lift_view, name="suspension_lift"),
]
