"""The API root, the problem-type pages, the schema and its two readers."""

from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from hub.api.base import ApiView
from hub.api.errors import PROBLEMS, Problem, problem_response


class ApiRootApi(ApiView):
    """Where each resource lives: a client starts here and follows links."""

    permission_classes = [AllowAny]
    resources: tuple[tuple[str, str], ...] = ()  # (key, url name), set by hub/api/urls.py

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        links = {key: reverse(name, request=request) for key, name in self.resources}
        return Response(links)


class ProblemTypeApi(APIView):
    """What a problem `type` means (its URI is this route)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request: Request, slug: str) -> Response:
        kind = PROBLEMS.get(slug)
        if kind is None:
            return problem_response(request, Problem(PROBLEMS["not-found"], "Not found."))
        return Response(
            {"type": request.build_absolute_uri(), "title": kind.title, "status": kind.status,
             "description": kind.description}
        )  # fmt: skip


@extend_schema(exclude=True)
class NotFoundApi(ApiView):
    """Anything else under /api/v1/: a problem document, not the HTML 404 page."""

    schema = None
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def _not_found(self, request: Request, *args, **kwargs) -> Response:
        return problem_response(request, Problem(PROBLEMS["not-found"], "No such API route."))

    get = post = put = patch = delete = head = options = _not_found


schema_view = SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny])
swagger_view = SpectacularSwaggerSplitView.as_view(
    url_name="api:schema", authentication_classes=[], permission_classes=[AllowAny]
)
# ReDoc renders with styled-components (style elements without a nonce) and a worker.
_REDOC_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
_redoc = SpectacularRedocView.as_view(
    url_name="api:schema", authentication_classes=[], permission_classes=[AllowAny]
)


@csp_override(_REDOC_CSP)
def redoc_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    return _redoc(request, *args, **kwargs)
