"""The site's URLs plus test-only API routes: one marked deprecated (the Deprecation/Sunset
test) and one with a bug in it (the problem+json 500)."""

from datetime import UTC, datetime

from django.urls import path
from rest_framework.response import Response

from hub.api.base import ApiView, Deprecation
from hub.urls import urlpatterns as site_urlpatterns


class OldThingApi(ApiView):
    deprecation = Deprecation(
        since=datetime(2026, 12, 1, tzinfo=UTC), sunset=datetime(2027, 7, 1, tzinfo=UTC)
    )
    permission_classes: list = []

    def get(self, request):
        return Response({"old": True})


class BrokenApi(ApiView):
    permission_classes: list = []

    def get(self, request):
        raise KeyError("a bug")


urlpatterns = [
    path("api/v1/_test/old-thing", OldThingApi.as_view()),
    path("api/v1/_test/broken", BrokenApi.as_view()),
    *site_urlpatterns,
]
handler404 = "hub.views.page_not_found_view"
handler500 = "hub.views.server_error_view"
