"""Whole pages for visitors, served from the cache before the rest of the stack runs.

A visitor (no session cookie, no cookie but the CSRF one) sees the same page as every other
visitor, except for two per-response values: the CSP nonce and the CSRF token. So the page
is kept with those two cut out, and each visitor's copy gets a fresh nonce and a token for
their own CSRF cookie (a new one when they have none, set as Django's CSRF middleware sets
it). A hit skips sessions, authentication, URL routing, the view and the templates.

Never stale: every entry depends on the ("pages", "") version, which hub.cache bumps with
every other version (each live event, each write that bumps a fragment) and after the
commit of every SQL write (any table but sessions, task records and the admin's log).
Entries also expire after NEXUS_PAGE_CACHE_SECONDS (30 s: "5 minutes ago" stays about
right); 0 turns it off.

Only GET 200 HTML responses that set no cookie but the CSRF one, carry no Cache-Control or
ETag of their own, and were rendered for an anonymous user are kept. Everything else, and
every HTMX fragment, API call, socket and static file, passes through untouched.
Sits just inside the CSP middleware (which adds the header for the nonce given here) and
outside everything that reads the session.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import CsrfViewMiddleware, _unmask_cipher_token, get_token

from hub import cache, http_cache

SKIP_PREFIXES = ("/api/", "/graphql", "/static/", "/healthz", "/readyz", "/ws/", "/admin/")
NONCE_MARK = b"\x00nonce\x00"
TOKEN_MARK = b"\x00csrf\x00"
# A masked CSRF token: 64 letters and digits (django.middleware.csrf).
_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
_KEPT_VARY = {"cookie", "hx-request", "accept-encoding"}
_DROPPED_HEADERS = {"content-length", "set-cookie"}


def _seconds() -> int:
    return int(getattr(settings, "NEXUS_PAGE_CACHE_SECONDS", 30))


def _eligible(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.path.startswith(SKIP_PREFIXES)
        and "HTTP_HX_REQUEST" not in request.META
        and "HTTP_AUTHORIZATION" not in request.META
        and set(request.COOKIES) <= {settings.CSRF_COOKIE_NAME}
    )


def _freeze(request: HttpRequest, response: HttpResponse) -> dict[str, Any] | None:
    """The response as a cache entry with the nonce and CSRF tokens cut out, or None
    when it is not the same for every visitor."""
    if (
        response.status_code != 200
        or response.streaming
        or not response.get("Content-Type", "").startswith("text/html")
        or response.has_header("Cache-Control")
        or response.has_header("ETag")
        or set(response.cookies) - {settings.CSRF_COOKIE_NAME}
        or hasattr(response, "_csp_config")
        or hasattr(response, "_csp_ro_config")
        or getattr(getattr(request, "user", None), "is_authenticated", False)
    ):
        return None
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    content = response.content
    if vary - _KEPT_VARY or b"\x00" in content:
        return None
    nonce = get_nonce(request)
    if nonce:
        content = content.replace(str(nonce).encode(), NONCE_MARK)
    secret = request.META.get("CSRF_COOKIE")
    if secret:

        def cut(match: re.Match[bytes]) -> bytes:
            token = match.group().decode()
            return TOKEN_MARK if _unmask_cipher_token(token) == secret else match.group()

        content = _TOKEN.sub(cut, content)
    match = getattr(request, "resolver_match", None)
    return {
        "content": content,
        # The same as hub.http_cache would work out for each copy (it leaves the nonce and
        # CSRF token out), once instead of per hit.
        "etag": http_cache.etag(content),
        "headers": [
            (k, v) for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS
        ],
        "route": "/" + match.route if match and match.route else "",
    }


def _thaw(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    content: bytes = entry["content"]
    if NONCE_MARK in content:
        content = content.replace(NONCE_MARK, str(get_nonce(request)).encode())
    csrf = None
    if TOKEN_MARK in content:
        csrf = CsrfViewMiddleware(lambda r: None)  # type: ignore[arg-type, return-value]
        csrf.process_request(request)  # reads the visitor's CSRF cookie, if valid
        content = content.replace(TOKEN_MARK, get_token(request).encode())
    response = HttpResponse(content)
    response.from_page_cache = True  # type: ignore[attr-defined]
    response.nexus_etag = entry["etag"]  # type: ignore[attr-defined]
    for key, value in entry["headers"]:
        response[key] = value
    request.nexus_route = entry["route"]  # for hub.metrics: a hit has no resolver match
    if csrf is not None:
        csrf.process_response(request, response)  # sets the cookie for a new visitor
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (settings.NEXUS_CACHE and _seconds() > 0 and _eligible(request)):
            return self.get_response(request)
        served: dict[str, HttpResponse] = {}

        def render() -> dict[str, Any] | None:
            served["response"] = response = self.get_response(request)
            return _freeze(request, response)

        path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
        entry = cache.fragment(
            "page",
            compute=render,
            deps=[("pages", "")],
            parts=[path],
            timeout=_seconds(),
            local=True,  # a dict of bytes and strings that _thaw only reads
        )
        if "response" in served:
            return served["response"]
        if entry is None:  # this address's page is not the same for every visitor
            return self.get_response(request)
        return _thaw(request, entry)


def _bump_pages() -> None:
    cache.version_bump("pages")


_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
# Tables whose rows no visitor's page shows (sessions, task records, the admin's log).
_QUIET_TABLES = ("django_session", "ops_", "django_admin_log", "django_content_type")


def _watch_writes(execute, sql, params, many, context):
    """Every INSERT, UPDATE or DELETE (ORM saves, queryset updates, bulk writes, raw SQL)
    bumps the pages' version once its transaction commits; a rolled-back one bumps nothing.
    One INCR per written statement, cheap next to the statement itself."""
    result = execute(sql, params, many, context)
    written = _WRITE.match(sql)
    if written and not written.group(1).startswith(_QUIET_TABLES):
        transaction.on_commit(_bump_pages, using=context["connection"].alias)
    return result


def _watch(sender, connection, **kwargs) -> None:
    # First in the list: connection.execute_wrapper() blocks that were open when the
    # connection was made pop the last one when they end.
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch_writes)


def connect() -> None:
    """Called from hub's AppConfig.ready(): every connection watches its own writes."""
    connection_created.connect(_watch, dispatch_uid="hub.page_cache.watch")
    for conn in connections.all(initialized_only=True):
        _watch(None, conn)
