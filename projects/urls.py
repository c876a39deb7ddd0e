from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_gallery_view, name="gallery"),
    path("new/", views.project_create_view, name="project_create"),
    path("awaiting-review/", views.awaiting_review_view, name="awaiting_review"),
    path("by/<str:handle>/", views.projects_by_user_view, name="by_user"),
    path("<int:pk>/", views.project_detail_view, name="project_detail_short"),
    path("<int:pk>/<slug:slug>/", views.project_detail_view, name="project_detail"),
    path("<int:pk>/edit", views.project_edit_view, name="project_edit"),
    path("<int:pk>/state", views.project_state_view, name="project_state"),
    path("<int:pk>/star", views.star_view, name="star"),
    path("<int:pk>/feedback", views.feedback_create_view, name="feedback_create"),
    path("<int:pk>/review", views.review_view, name="review"),
    path("feedback/<int:pk>/edit", views.feedback_edit_view, name="feedback_edit"),
    path("feedback/<int:pk>/delete", views.feedback_delete_view, name="feedback_delete"),
]
