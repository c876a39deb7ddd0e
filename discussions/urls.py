from django.urls import path, register_converter

from discussions import views
from hub import views as hub_views


class PostKindConverter:
    """`question` or `answer`: the posts that take comments and keep revisions."""

    regex = "question|answer"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PostKindConverter, "postkind")

app_name = "discussions"

urlpatterns = [
    path("questions/", views.question_list_view, name="question_list"),
    # The site search is hub's page (hub/urls.py, name "search"); this old name still reverses.
    path("search/", hub_views.search_view, name="search"),
    path("watch", views.watch_view, name="watch"),
    path("ask/", views.question_ask_view, name="question_ask"),
    path("ask/similar/", views.question_similar_view, name="question_similar"),
    path("q/<int:pk>/", views.question_detail_view, name="question_detail_short"),
    path("q/<int:pk>/<slug:slug>/", views.question_detail_view, name="question_detail"),
    path("q/<int:pk>/edit", views.question_edit_view, name="question_edit"),
    path("q/<int:pk>/delete", views.question_delete_view, name="question_delete"),
    path("q/<int:pk>/vote", views.question_vote_view, name="question_vote"),
    path("q/<int:pk>/follow", views.question_follow_view, name="question_follow"),
    path("q/<int:pk>/answer", views.answer_create_view, name="answer_create"),
    path("a/<int:pk>/edit", views.answer_edit_view, name="answer_edit"),
    path("a/<int:pk>/delete", views.answer_delete_view, name="answer_delete"),
    path("a/<int:pk>/vote", views.answer_vote_view, name="answer_vote"),
    path("a/<int:pk>/accept", views.answer_accept_view, name="answer_accept"),
    path("<postkind:kind>/<int:pk>/comment", views.comment_create_view, name="comment_create"),
    path("c/<int:pk>/edit", views.comment_edit_view, name="comment_edit"),
    path("c/<int:pk>/delete", views.comment_delete_view, name="comment_delete"),
    path("<postkind:kind>/<int:pk>/revisions/", views.revisions_view, name="revisions"),
    path("markdown/preview", views.preview_view, name="preview"),
    path("tags/suggest", views.tag_suggest_view, name="tag_suggest"),
    path("mentions/suggest", views.handle_suggest_view, name="handle_suggest"),
]
