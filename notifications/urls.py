from django.urls import path

from notifications import views
from notifications.unsubscribe import unsubscribe_view

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("latest", views.notification_latest_view, name="latest"),
    path("<int:pk>/open", views.notification_open_view, name="open"),
    path("<int:pk>/read", views.notification_read_view, name="read"),
    path("read-all", views.notification_read_all_view, name="read_all"),
    path("mute", views.mute_view, name="mute"),
    path("settings/", views.preferences_view, name="preferences"),
    path("unsubscribe/<str:token>/", unsubscribe_view, name="unsubscribe"),
]
