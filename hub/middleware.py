"""Clean failures at the edge: bodies over the limit, and one log line per refusal.

`BodyLimitMiddleware` (after authentication, before any process_view) answers a body
larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with 413 before anything reads it: the friendly page, or
problem details under ``/api/``. Django would otherwise raise ``RequestDataTooBig`` from
whichever middleware first touched ``request.POST`` (CSRF), answer 400 and log it twice
with tracebacks. A body that only turns out too big while parsing (no Content-Length,
too many multipart fields) reaches `hub.views.bad_request_view`, which answers 413 the
same way. Either path logs one line (``nexus.security``).

`DeniedLogMiddleware` (inside authentication) logs every 403, whatever door produced it
(a page's PermissionDenied, CSRF, the API, the admin), as one structured line:

    access.denied user=7 handle=ada method=POST path=/q/3/hide door=page ip=203.0.113.9
      status=403 reason="Only mentors can hide posts."
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

logger = logging.getLogger("nexus.security")

API_PREFIX = "/api/"


def door(request: HttpRequest) -> str:
    path = request.path
    if path.startswith(API_PREFIX):
        return "api"
    if path.startswith("/graphql"):
        return "graphql"
    if path.startswith("/admin/"):
        return "admin"
    return "page"


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "-"


def _quote(value: str) -> str:
    value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{value[:200]}"'


def log_fields(**fields: object) -> str:
    """``key=value`` pairs (logfmt): values with spaces or quotes are quoted."""
    parts = []
    for key, value in fields.items():
        text = "-" if value is None or value == "" else str(value)
        if any(c in text for c in ' "=\\\n'):
            text = _quote(text)
        parts.append(f"{key}={text}")
    return " ".join(parts)


def too_large_response(request: HttpRequest) -> HttpResponse:
    """413: problem details under /api/, the friendly page elsewhere. Logs one line."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    logger.warning(
        "request.too_large %s",
        log_fields(
            method=request.method,
            path=request.path,
            door=door(request),
            ip=client_ip(request),
            length=request.META.get("CONTENT_LENGTH"),
            limit=limit,
        ),
    )
    if request.path.startswith(API_PREFIX):
        # The API's own problem type (hub.api.errors), rendered without DRF: the body was
        # never read, so no DRF view runs.
        from hub.api.errors import PROBLEM_CONTENT_TYPE, PROBLEMS, problem_type_uri

        kind = PROBLEMS["too-large"]
        body = {
            "type": problem_type_uri(request, kind.slug),
            "title": kind.title,
            "status": kind.status,
            "detail": f"The request body is too large (at most {limit:,} bytes).",
        }
        response: HttpResponse = JsonResponse(body, status=413, content_type=PROBLEM_CONTENT_TYPE)
    else:
        response = render(request, "413.html", {"limit": limit}, status=413)
    # The body was not read: the connection cannot carry another request.
    response["Connection"] = "close"
    return response


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return too_large_response(request)
        return self.get_response(request)


class DeniedLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The session's user (lazy). DRF replaces request.user with the API's view of it
        # (the token's owner, or anonymous when it refused the session for CSRF).
        session_user = getattr(request, "user", None)
        response = self.get_response(request)
        if response.status_code == 403:
            log_denied(request, response, session_user)
        return response


def log_denied(request: HttpRequest, response: HttpResponse, session_user: object = None) -> None:
    user = getattr(request, "user", None)
    if not (user is not None and user.is_authenticated):
        user = session_user
    signed_in = bool(user is not None and user.is_authenticated)
    reason = getattr(response, "denied_reason", "")
    data = getattr(response, "data", None)  # a DRF response (the API)
    if not reason and isinstance(data, dict):
        reason = str(data.get("detail", ""))
    logger.warning(
        "access.denied %s",
        log_fields(
            user=user.pk if signed_in else "anonymous",
            handle=getattr(user, "handle", "") if signed_in else "",
            method=request.method,
            path=request.path,
            door=door(request),
            ip=client_ip(request),
            status=response.status_code,
            reason=reason,
        ),
    )


class HandledRefusalsFilter(logging.Filter):
    """On ``django.request``/``django.security.*``: drop the records of refusals this
    module has already logged in one line (403, 413, an over-large body), so each leaves
    one line and no traceback. Everything else (404s, 5xx with tracebacks) passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.security.RequestDataTooBig":
            return False
        if record.name == "django.security.csrf":
            return False
        return getattr(record, "status_code", None) not in (403, 413)


ROLE_SESSION_KEY = "_nexus_role"


class SessionRotationMiddleware:
    """Rotate the session key when the signed-in account's role differs from the role the
    session was issued under (a promotion or demotion by an admin): the old key, which
    may have leaked while it carried less (or more) power, stops working. Signing in
    already rotates it (django.contrib.auth.login cycles the key)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            role = str(getattr(user, "role", ""))
            seen = request.session.get(ROLE_SESSION_KEY)
            if seen != role:
                if seen is not None:
                    request.session.cycle_key()
                request.session[ROLE_SESSION_KEY] = role
        return self.get_response(request)


def on_logged_in(sender: object, request: HttpRequest | None = None, user: object = None, **_):
    """user_logged_in: note the role the new session is issued under (so the first request
    after signing in writes nothing)."""
    session = getattr(request, "session", None)
    if session is not None and user is not None:
        session[ROLE_SESSION_KEY] = str(getattr(user, "role", ""))


class FriendlyNotFoundMiddleware:
    """With DEBUG on (`make run`), a 404 is the styled page people see in production, plus
    a developer hint, instead of Django's technical page listing every URL pattern; a
    developer who wants that page sets NEXUS_TECHNICAL_404=1. Off without DEBUG, where
    Django already renders `hub.views.page_not_found_view`.

    Inside CommonMiddleware, so `/path` still redirects to `/path/` (APPEND_SLASH): that
    decision reads the 404 this returns."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _on(self) -> bool:
        return settings.DEBUG and not settings.NEXUS_TECHNICAL_404

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._on():
            from django.urls import Resolver404, resolve

            try:
                resolve(request.path_info)
            except Resolver404:
                return not_found_response(request, "No URL pattern matches this path.")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.http import Http404

        if self._on() and isinstance(exception, Http404):
            return not_found_response(request, str(exception) or "The view raised Http404.")
        return None


def not_found_response(request: HttpRequest, hint: str) -> HttpResponse:
    return render(request, "404.html", {"developer_hint": hint}, status=404)
