from django.urls import path

from ops import views

app_name = "ops"
urlpatterns = [
    path("", views.ops_view, name="index"),
    path("runs/<int:run_id>/retry", views.taskrun_retry_view, name="retry"),
]
