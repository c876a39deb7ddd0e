"""Whole pages from the cache, served before the rest of the stack runs: visitors' shared
copies, and each signed-in person's own.

A visitor (no cookie but the CSRF one) sees the same page as every other visitor, except for
two per-response values: the CSP nonce and the CSRF token. So the page is kept with those two
cut out, and each copy served gets a fresh nonce and a token for the visitor's own CSRF cookie
(a new one when they have none, set as Django's CSRF middleware sets it).

A signed-in person's page is theirs alone, so it is kept under a digest of what it was made
from besides the database: their cookies, the CSRF one included (their copy keeps the
tokens it was rendered with), and their session, as its version: hub.sessions bumps a
session's version with every write to it, so a hit knows the session is unchanged without
reading it. Their next read of the same address, before anything changed, is their own
copy: a reload, the back button, a second tab, a poll. A changed session is another
version; an ended one (signed out, every device signed out) is a bump too, and an expired
one passes through (the copy knows when its session expires). A page whose render changed
the session or set a cookie (a flash message shown, a sign-in, a new CSRF secret) is not
kept. Entries are also kept in each process (hub.cache `local`, within its byte budget).
NEXUS_PAGE_CACHE_SIGNED_IN=false keeps visitors' pages only.

A hit is sent compressed (`Content-Encoding: deflate`) to a client that takes it: the page
is compressed once when it is kept, with the nonce and the visitor's tokens spliced into
each response (hub/spliced_deflate.py).

Never stale: every entry depends on the ("pages", "") version, which hub.cache bumps with
every other version (each live event, each write that bumps a fragment) and after the
commit of every SQL write (any table but sessions, task records and the admin's log): a
role, a password, a ban, a notification, a vote, anything a page shows. Entries also expire
after NEXUS_PAGE_CACHE_SECONDS (30 s: "5 minutes ago" stays about right); 0 turns it off.

A hit skips everything after this middleware (which sits just inside hub.metrics): sessions,
authentication, URL routing, the view, the templates, and the security, HTTP-caching and CSP
middleware, whose headers were kept with the page (the CSP header with its nonce cut out, as
in the body). So a hit answers `If-None-Match` itself (a visitor's copy carries hub.http_cache's
ETag) and, once its second has come, `If-Modified-Since` (hub.last_modified: the copy's
`Last-Modified` is when it was computed).

Only GET 200 HTML pages to which hub.http_cache applied its page rule (a visitor's page or a
person's, never an HTMX fragment, never a response with its own Cache-Control or ETag) and
that set no cookie but the CSRF one are kept. Everything else, and every API call, socket,
static file and admin page, passes through untouched, as does any request the rest of the
stack would refuse or redirect (a disallowed host, plain HTTP under SECURE_SSL_REDIRECT).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import (
    CSRF_TOKEN_LENGTH,
    CsrfViewMiddleware,
    _unmask_cipher_token,
    get_token,
)
from django.utils.cache import patch_vary_headers
from django.utils.csp import generate_nonce
from django.utils.http import parse_etags

from hub import cache, http_cache, last_modified, sessions, spliced_deflate

SKIP_PREFIXES = ("/api/", "/graphql", "/static/", "/healthz", "/readyz", "/ws/", "/admin/")
NONCE_MARK = "\x00nonce\x00"
TOKEN_MARK = b"\x00csrf\x00"
# A masked CSRF token: 64 letters and digits (django.middleware.csrf).
_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
_KEPT_VARY = {"cookie", "hx-request", "accept-encoding"}
_DROPPED_HEADERS = {"content-length", "set-cookie"}
VISITOR = ""  # the `who` of a visitor's shared copy


def _seconds() -> int:
    return int(getattr(settings, "NEXUS_PAGE_CACHE_SECONDS", 30))


def _eligible(request: HttpRequest) -> bool:
    if (
        request.method != "GET"
        or request.path.startswith(SKIP_PREFIXES)
        or "HTTP_HX_REQUEST" in request.META
        or "HTTP_AUTHORIZATION" in request.META
        or (settings.SECURE_SSL_REDIRECT and not request.is_secure())
    ):
        return False
    try:
        request.get_host()  # what CommonMiddleware would refuse with a 400
    except DisallowedHost:
        return False
    return True


def _who(request: HttpRequest) -> str | None:
    """VISITOR for a visitor, a digest of a signed-in person's cookies, or None for anyone
    else (stray cookies without a session, or people's pages turned off): their pages are
    never kept. Whether the session is signed in is known only once a page is made for it
    (and its copy depends on the session's version: hub.sessions), so reading it costs a
    hit nothing."""
    cookies = {k: v for k, v in request.COOKIES.items() if k != settings.CSRF_COOKIE_NAME}
    if not cookies:
        return VISITOR
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    if (
        not session_key
        # Their copy keeps the CSRF tokens it was rendered with, good for this cookie only,
        # so the cookie is part of the key. A browser that signed in has one (the sign-in
        # page set it); without one, every render would make a new secret.
        or settings.CSRF_COOKIE_NAME not in request.COOKIES
        or not getattr(settings, "NEXUS_PAGE_CACHE_SIGNED_IN", True)
        or settings.SESSION_ENGINE != "hub.sessions"
    ):
        return None
    payload = json.dumps(sorted(request.COOKIES.items()))
    return hashlib.blake2b(payload.encode(), digest_size=20).hexdigest()


def _freeze(request: HttpRequest, response: HttpResponse, who: str) -> dict[str, Any] | None:
    """The response as a cache entry with the nonce (and in a visitor's copy the CSRF
    tokens) cut out, or None when it may not be kept."""
    kind = "visitor" if who == VISITOR else "person"
    if (
        response.status_code != 200
        or response.streaming
        or getattr(response, "nexus_page_kind", None) != kind
        or not response.get("Content-Type", "").startswith("text/html")
        or set(response.cookies) - {settings.CSRF_COOKIE_NAME}
        or hasattr(response, "_csp_config")
        or hasattr(response, "_csp_ro_config")
    ):
        return None
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    if kind == "visitor" and signed_in:
        return None
    expires = None
    if kind == "person":
        session = getattr(request, "session", None)
        sent = response.cookies.get(settings.CSRF_COOKIE_NAME)
        if (
            not signed_in
            or not isinstance(session, sessions.SessionStore)
            or session.modified
            or session.expire_date is None
            or session.session_key != request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            # A new CSRF secret (a rotation, a malformed cookie replaced): not the key's.
            or (sent is not None and sent.value != request.COOKIES[settings.CSRF_COOKIE_NAME])
        ):
            return None
        expires = session.expire_date.timestamp()
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    content = response.content
    if vary - _KEPT_VARY or b"\x00" in content:
        return None
    patch_vary_headers(response, ("Accept-Encoding",))  # a hit may be sent compressed
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS]
    nonce = get_nonce(request)
    if nonce:
        nonce = str(nonce)
        content = content.replace(nonce.encode(), NONCE_MARK.encode())
        headers = [(k, v.replace(nonce, NONCE_MARK)) for k, v in headers]
    secret = request.META.get("CSRF_COOKIE")
    if secret and kind == "visitor":  # shared: each visitor gets a token for their own cookie

        def cut(match: re.Match[bytes]) -> bytes:
            token = match.group().decode()
            return TOKEN_MARK if _unmask_cipher_token(token) == secret else match.group()

        content = _TOKEN.sub(cut, content)
    match = getattr(request, "resolver_match", None)
    return {
        "content": content,
        # Compressed once, in pieces between the marks (hub/spliced_deflate.py).
        "deflate": spliced_deflate.compress(
            content, {NONCE_MARK.encode(): len(generate_nonce()), TOKEN_MARK: CSRF_TOKEN_LENGTH}
        ),
        "headers": headers,
        "route": "/" + match.route if match and match.route else "",
        "at": time.time(),
        "expires": expires,  # a person's copy: when their session does
    }


# Django's CSRF middleware, for what it does to a hit's request and response (it keeps no
# state of its own between calls).
_CSRF = CsrfViewMiddleware(lambda request: HttpResponse())


def _entry_size(entry: dict[str, Any]) -> int:
    spliced = entry.get("deflate")
    return len(entry["content"]) + (spliced.size if spliced else 0)


def _thaw(request: HttpRequest, entry: dict[str, Any], looked_up: float) -> HttpResponse:
    """The response for a hit. `looked_up` is the clock read before the versions were: a
    copy's date is handed out only if its second had come by then (hub.last_modified), so a
    write that retires it, and any newer copy, come after that date even when requests
    overlap."""
    content: bytes = entry["content"]
    nonce = generate_nonce()
    values = {NONCE_MARK.encode(): nonce.encode()}
    csrf = None
    if TOKEN_MARK in content:  # a visitor's copy
        csrf = _CSRF
        csrf.process_request(request)  # reads the visitor's CSRF cookie, if valid
        values[TOKEN_MARK] = get_token(request).encode()
    spliced = entry.get("deflate")  # (None for a page that could not be compressed)
    compressed = None
    if spliced is not None and spliced_deflate.accepted(
        request.META.get("HTTP_ACCEPT_ENCODING", "")
    ):
        try:
            compressed = spliced_deflate.body(spliced, values)
        except ValueError:  # a value of another length than the page was compressed for
            compressed = None
    if compressed is not None:
        content = compressed
    else:
        for mark, value in values.items():
            if mark in content:
                content = content.replace(mark, value)
    response = HttpResponse(content)
    response.from_page_cache = True  # type: ignore[attr-defined]
    for key, value in entry["headers"]:
        response[key] = value.replace(NONCE_MARK, nonce)
    if compressed is not None:
        response["Content-Encoding"] = "deflate"
    response["Content-Length"] = str(len(content))
    request.nexus_route = entry["route"]  # for hub.metrics: a hit has no resolver match
    if csrf is not None:
        csrf.process_response(request, response)  # sets the cookie for a new visitor
    tag = response.get("ETag")
    if tag is not None:  # a visitor's copy: hub.http_cache's validators, answered here
        stamp = last_modified.header(entry["at"], now=looked_up)
        if stamp is not None:
            response["Last-Modified"] = stamp
        asked = request.META.get("HTTP_IF_NONE_MATCH", "")
        if (
            tag in parse_etags(asked)
            or asked.strip() == "*"
            or last_modified.not_modified(request, entry["at"], now=looked_up)
        ):
            return http_cache.not_modified(response)
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (settings.NEXUS_CACHE and _seconds() > 0 and _eligible(request)):
            return self.get_response(request)
        who = _who(request)
        if who is None:
            return self.get_response(request)
        served: dict[str, HttpResponse] = {}

        def render() -> dict[str, Any] | None:
            served["response"] = response = self.get_response(request)
            return _freeze(request, response, who)

        path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
        deps = [("pages", "")]
        if who != VISITOR:
            session_key = request.COOKIES[settings.SESSION_COOKIE_NAME]
            deps += [sessions.ALL, sessions.dep(session_key)]
        looked_up = time.time()
        entry = cache.fragment(
            "page" if who == VISITOR else "person-page",
            compute=render,
            deps=deps,
            parts=[path, who] if who else [path],
            timeout=_seconds(),
            # Kept in this process too (dicts of bytes and strings that _thaw only reads),
            # within hub.cache's byte budget per process.
            local=True,
            local_size=lambda entry: _entry_size(entry) if entry else 0,
        )
        if "response" in served:
            return served["response"]
        if entry is None or (entry["expires"] is not None and entry["expires"] <= looked_up):
            # This address's page may not be kept, or the person's session has expired.
            return self.get_response(request)
        return _thaw(request, entry, looked_up)


def _bump_pages() -> None:
    cache.version_bump("pages")


def _bump_sessions() -> None:
    cache.version_bump(*sessions.ALL, pages=False)


_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
# Tables whose rows no visitor's page shows (sessions, task records, the admin's log).
_QUIET_TABLES = ("django_session", "ops_", "django_admin_log", "django_content_type")


def _watch_writes(execute, sql, params, many, context):
    """Every INSERT, UPDATE or DELETE (ORM saves, queryset updates, bulk writes, raw SQL)
    bumps the pages' version once its transaction commits; a rolled-back one bumps nothing.
    One INCR per written statement, cheap next to the statement itself."""
    result = execute(sql, params, many, context)
    written = _WRITE.match(sql)
    if written is None:
        return result
    table = written.group(1)
    if not table.startswith(_QUIET_TABLES):
        transaction.on_commit(_bump_pages, using=context["connection"].alias)
    elif table == "django_session" and not sessions.writing():
        # Not hub.sessions' own write of one session (which bumps that one): any of them.
        transaction.on_commit(_bump_sessions, using=context["connection"].alias)
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
