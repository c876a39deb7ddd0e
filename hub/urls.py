"""The one place that composes every app's URLs (the only upward imports of hub)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from discussions import views as discussions_views
from hub import views
from hub.graphql import graphql_view
from ops import views as ops_views

admin.site.site_header = "Nexus administration"
admin.site.site_title = "Nexus admin"

urlpatterns = [
    # The home page is the forum's list with a welcome (discussions' view, composed here).
    path("", discussions_views.home_view, name="home"),
    path("search/", views.search_view, name="search"),
    path("healthz", views.healthz_view, name="healthz"),
    path("readyz", views.readyz_view, name="readyz"),
    path("readyz/worker", ops_views.worker_readyz_view, name="readyz_worker"),
    path("ops/", include("ops.urls")),
    path("live/catch-up", views.live_catch_up_view, name="live_catch_up"),
    path("metrics/", views.metrics_view, name="metrics"),
    path("graphql/", graphql_view, name="graphql"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("discussions.urls")),
    path("notifications/", include("notifications.urls")),
    path("projects/", include("projects.urls")),
    path("", include("moderation.urls")),
    path("api/v1/", include("hub.api.urls")),
    path("guide/", include("guides.urls")),
    path("", include("webhooks.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "hub.views.bad_request_view"
handler403 = "hub.views.permission_denied_view"
handler404 = "hub.views.page_not_found_view"
handler500 = "hub.views.server_error_view"

if settings.DEBUG:
    # Lets a developer see the styled error pages while DEBUG shows tracebacks elsewhere.
    urlpatterns += [
        path("_errors/403/", views.permission_denied_view),
        path("_errors/404/", views.page_not_found_view),
        path("_errors/500/", views.server_error_view),
    ]
