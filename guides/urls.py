from django.urls import path

from guides import views

app_name = "guides"

urlpatterns = [
    path("", views.guide_index_view, name="index"),
    path("proposals/<int:pk>/", views.proposal_detail_view, name="proposal_detail"),
    path("proposals/<int:pk>/accept", views.proposal_accept_view, name="proposal_accept"),
    path("proposals/<int:pk>/decline", views.proposal_decline_view, name="proposal_decline"),
    path("feedback/<int:pk>/handled", views.feedback_handle_view, name="feedback_handle"),
    path("s/<int:pk>/edit", views.section_edit_view, name="section_edit"),
    path("s/<int:pk>/history/", views.section_history_view, name="section_history"),
    path("s/<int:pk>/revert/<int:number>", views.section_revert_view, name="section_revert"),
    path("s/<int:pk>/review", views.section_review_view, name="section_review"),
    path("s/<int:pk>/helpful", views.helpful_view, name="helpful"),
    path("answer/<int:pk>/promote", views.answer_promote_view, name="answer_promote"),
    path("question/<int:pk>/close", views.question_close_view, name="question_close"),
    path("question/<int:pk>/reopen", views.question_reopen_view, name="question_reopen"),
    path("<slug:slug>/", views.guide_detail_view, name="guide_detail"),
    path("<slug:slug>/new", views.section_create_view, name="section_create"),
]
