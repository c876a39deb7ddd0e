"""/api/v1/: composes each app's api.py (with hub/urls.py, the only upward imports)."""

from django.urls import path, re_path

from accounts import api as accounts_api
from hub.api import schema, views  # noqa: F401 - schema registers the auth extension

app_name = "api"

urlpatterns = [
    path(
        "",
        views.ApiRootApi.as_view(resources=(("me", "api:me"), ("schema", "api:schema"))),
        name="root",
    ),
    path("me", accounts_api.MeApi.as_view(), name="me"),
    path("schema/", views.schema_view, name="schema"),
    path("docs/", views.swagger_view, name="docs"),
    path("redoc/", views.redoc_view, name="redoc"),
    path("problems/<slug:slug>", views.ProblemTypeApi.as_view(), name="problem"),
]

urlpatterns += [re_path(r"^.*$", views.NotFoundApi.as_view())]
