"""The site's URLs plus one route marked deprecated, for the Deprecation/Sunset test."""

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


urlpatterns = [path("api/v1/_test/old-thing", OldThingApi.as_view()), *site_urlpatterns]
