import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hub import health, live, search
from hub.middleware import too_large_response

# What Django raises when the database server is down or the connection was lost.
DATABASE_DOWN_ERRORS = (OperationalError, InterfaceError)


@never_cache
def healthz_view(request: HttpRequest) -> HttpResponse:
    """The process is alive (no dependency is checked)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz_view(request: HttpRequest) -> HttpResponse:
    """Ready to serve: database, cache and channel layer each answered. 503 names what failed."""
    results = health.readiness()
    failed = {name: reason for name, reason in results.items() if reason}
    body = {
        "status": "unavailable" if failed else "ok",
        "checks": {name: reason or "ok" for name, reason in results.items()},
    }
    if failed:
        body["failed"] = sorted(failed)
    return JsonResponse(body, status=503 if failed else 200)


def bad_request_view(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Found while parsing (no Content-Length to refuse it by): the same 413.
        return too_large_response(request)
    return render(request, "400.html", status=400)


def permission_denied_view(request: HttpRequest, exception=None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    response = render(request, "403.html", {"reason": message}, status=403)
    response.denied_reason = message or "permission denied"  # for the one log line
    return response


def csrf_failure_view(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the styled 403, with a reason a person can act on."""
    response = render(
        request,
        "403.html",
        {"reason": "The form had expired or came from another site. Reload and try again."},
        status=403,
    )
    response.denied_reason = f"csrf: {reason}"
    return response


def page_not_found_view(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


# Seconds a client is told to wait when the database is unreachable.
DATABASE_DOWN_RETRY_AFTER = 30


def server_error_view(request: HttpRequest) -> HttpResponse:
    """The friendly error page. No context processors, no database: the error may be in
    either. A database that cannot be reached is an outage, not a bug: 503 and
    Retry-After, so proxies, crawlers and API clients come back instead of giving up."""
    from django.template import loader

    if request.path.startswith("/api/"):
        return _api_server_error(request)
    if isinstance(sys.exc_info()[1], DATABASE_DOWN_ERRORS):
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = str(DATABASE_DOWN_RETRY_AFTER)
        return response
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


def _api_server_error(request: HttpRequest) -> HttpResponse:
    """Under /api/ a bug is a problem document too (RFC 9457), never the HTML page."""
    from hub.api.errors import PROBLEM_CONTENT_TYPE, server_error_body

    down = isinstance(sys.exc_info()[1], DATABASE_DOWN_ERRORS)
    body = server_error_body(request, "unavailable" if down else "server-error")
    response = JsonResponse(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE)
    if down:
        response["Retry-After"] = str(DATABASE_DOWN_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def live_catch_up_view(request: HttpRequest) -> HttpResponse:
    """What a tab missed on its topics since `since` (ISO time), as hx-swap-oob fragments.
    Asked when the socket (re)opens, and every 20 s where WebSockets are blocked."""
    topics = live.topics_parse(request.GET.get("topics", ""))
    try:
        since = parse_datetime(request.GET.get("since", "") or "")
    except ValueError:
        since = None
    html = live.catch_up(request, topics, since)
    clock = format_html(
        '<template id="live-at" data-at="{}" hx-swap-oob="true"></template>', live.now_iso()
    )
    return HttpResponse(html + clock)


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Admins only: the last hour's per-route p50/p95 and queries, per-cache hit rates
    (hub.metrics). The section is the partial "hub/metrics.html#metrics" for the ops page."""
    from django.core.exceptions import PermissionDenied

    from hub import metrics

    user = request.user
    if not (user.is_authenticated and (user.is_staff or getattr(user, "is_admin", False))):
        raise PermissionDenied("Only admins can see the site's figures.")
    return render(request, "hub/metrics.html", {"metrics": metrics.summary(minutes=60)})


@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """The site search: the best questions, projects and guide sections for `q`, or one
    kind's pages of them (`kind`, `page`). Every app adds its kind (hub.search providers)."""
    raw = request.GET.get("q", "")[: search.QUERY_MAX * 10]
    kind = request.GET.get("kind", "")
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    result = search.search_page(viewer=request.user, raw=raw, kind=kind, page=page)
    if kind and result.kind is None and result.query.searchable:
        result.notices.append("There is no such kind of result: showing every kind.")
    return render(
        request,
        "hub/search.html",
        {
            "result": result,
            "query": result.query.text,
            "kinds": search.providers(),
            "page_size": search.PAGE_SIZE,
        },
    )
