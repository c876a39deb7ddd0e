from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks/", views.webhook_list_view, name="list"),
    path("settings/webhooks/<int:webhook_id>/", views.webhook_detail_view, name="detail"),
    path(
        "settings/webhooks/<int:webhook_id>/secret",
        views.webhook_secret_rotate_view,
        name="secret_rotate",
    ),
    path("settings/webhooks/<int:webhook_id>/delete", views.webhook_delete_view, name="delete"),
    path(
        "settings/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver",
        views.delivery_redeliver_view,
        name="redeliver",
    ),
]
