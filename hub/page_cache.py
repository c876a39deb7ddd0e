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

Hits before Django's handler: hub/wsgi.py wraps Django's WSGI handler in wsgi() below, which
looks a GET up first (the same lookup, hub.cache.peek, which never computes) and answers a
hit itself, with the same bytes and headers the middleware would send. A miss, and anything
not kept, goes to Django's handler, where the middleware computes and keeps it. Skipped on
such a hit: Django's request signals (no database is touched), set_script_prefix and the
middleware list; hub.metrics still samples it. Why that is safe: docs/decisions/0030.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    CsrfViewMiddleware,
    _unmask_cipher_token,
    get_token,
)
from django.utils.cache import patch_vary_headers
from django.utils.csp import generate_nonce
from django.utils.http import parse_etags

from hub import cache, http_cache, last_modified, metrics, sessions, spliced_deflate

logger = logging.getLogger(__name__)

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
    # A hit may be sent compressed, and a visitor's sets their CSRF cookie.
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
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

# A visitor's token, as django.middleware.csrf.get_token makes it, with the randomness drawn
# from one os.urandom() call instead of one secrets.choice() per character (about 80 µs of a
# first visit's hit, in two 32-character strings): each random byte below 248 (4 x 62) is one
# of the 62 letters and digits, uniformly; the bytes above are dropped.
_ALPHABET = CSRF_ALLOWED_CHARS
_INDEX = {char: i for i, char in enumerate(_ALPHABET)}
_UNBIASED = 256 - 256 % len(_ALPHABET)
_TO_CHAR = bytes(ord(_ALPHABET[b % len(_ALPHABET)]) for b in range(256))
_DROP = bytes(range(_UNBIASED, 256))


def _random_string(length: int) -> str:
    drawn = b""
    while len(drawn) < length:
        drawn += os.urandom(length + 8).translate(_TO_CHAR, _DROP)
    return drawn[:length].decode()


def _token(request: HttpRequest) -> str:
    """get_token(request): a new secret for a visitor without one (the response then sets
    the cookie), and the secret masked with a fresh mask, as Django masks it (its
    _unmask_cipher_token reads it back: hub/tests/test_page_cache.py)."""
    if settings.CSRF_USE_SESSIONS:
        return get_token(request)
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random_string(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_string(CSRF_SECRET_LENGTH)
    size = len(_ALPHABET)
    return mask + "".join(
        _ALPHABET[(_INDEX[s] + _INDEX[m]) % size] for s, m in zip(secret, mask, strict=True)
    )


def _entry_size(entry: dict[str, Any]) -> int:
    spliced = entry.get("deflate")
    return len(entry["content"]) + (spliced.size if spliced else 0)


def _parts(request: HttpRequest, entry: dict[str, Any]) -> tuple[bytes, list[tuple[str, str]]]:
    """A hit's body and headers: the kept ones with this response's own nonce (and for a
    visitor their CSRF token, read from or made for their cookie), compressed when the
    client takes it."""
    content: bytes = entry["content"]
    nonce = generate_nonce()
    values = {NONCE_MARK.encode(): nonce.encode()}
    if TOKEN_MARK in content:  # a visitor's copy
        _CSRF.process_request(request)  # reads the visitor's CSRF cookie, if valid
        values[TOKEN_MARK] = _token(request).encode()
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
    headers = [(key, value.replace(NONCE_MARK, nonce)) for key, value in entry["headers"]]
    if compressed is not None:
        headers.append(("Content-Encoding", "deflate"))
    headers.append(("Content-Length", str(len(content))))
    request.nexus_route = entry["route"]  # for hub.metrics: a hit has no resolver match
    return content, headers


def _thaw(request: HttpRequest, entry: dict[str, Any], looked_up: float) -> HttpResponse:
    """The response for a hit. `looked_up` is the clock read before the versions were: a
    copy's date is handed out only if its second had come by then (hub.last_modified), so a
    write that retires it, and any newer copy, come after that date even when requests
    overlap."""
    content, headers = _parts(request, entry)
    response = HttpResponse(content)
    response.from_page_cache = True  # type: ignore[attr-defined]
    for key, value in headers:
        response[key] = value
    _CSRF.process_response(request, response)  # sets the cookie for a new visitor
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


# Django's Set-Cookie for a new CSRF secret (made by CsrfViewMiddleware itself, once a second:
# its expiry is in seconds), with a placeholder where the secret goes.
_PLACEHOLDER = "0" * CSRF_SECRET_LENGTH
_cookie_made: tuple[int, str] = (0, "")


def _csrf_cookie(secret: str) -> str:
    global _cookie_made
    second = int(time.time())
    if _cookie_made[0] != second:
        scratch = HttpRequest()
        scratch.META["CSRF_COOKIE"] = _PLACEHOLDER
        response = HttpResponse()
        _CSRF._set_csrf_cookie(scratch, response)
        _cookie_made = (second, response.cookies[settings.CSRF_COOKIE_NAME].OutputString())
    return _cookie_made[1].replace(_PLACEHOLDER, secret, 1)


class _Headers(list):
    """A WSGI header list that hub.metrics can set headers on as on a response."""

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, str):
            self.append((key, value))
        else:
            super().__setitem__(key, value)


def _wsgi_hit(
    request: HttpRequest, entry: dict[str, Any], looked_up: float
) -> tuple[str, _Headers, bytes]:
    """_thaw's response as WSGI's status, headers and body, made without an HttpResponse
    when the request asks nothing conditional (a 304 is _thaw's)."""
    meta = request.META
    if "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta:
        response = _thaw(request, entry, looked_up)
        status = f"{response.status_code} {response.reason_phrase}"
        headers = _Headers(response.items())
        headers += [("Set-Cookie", c.OutputString()) for c in response.cookies.values()]
        return status, headers, response.content
    content, listed = _parts(request, entry)
    headers = _Headers(listed)
    if meta.get("CSRF_COOKIE_NEEDS_UPDATE"):  # as CsrfViewMiddleware.process_response
        meta["CSRF_COOKIE_NEEDS_UPDATE"] = False
        headers.append(("Set-Cookie", _csrf_cookie(meta["CSRF_COOKIE"])))
    if any(key == "ETag" for key, _ in listed):  # a visitor's copy: as in _thaw
        stamp = last_modified.header(entry["at"], now=looked_up)
        if stamp is not None:
            headers.append(("Last-Modified", stamp))
    return "200 OK", headers, content


Dep = tuple[str, int | str]


def _lookup(request: HttpRequest) -> tuple[str, list[Dep], list[str]] | None:
    """The cache name, dependencies and parts of this request's kept page, or None when
    its page is never kept."""
    if not (settings.NEXUS_CACHE and _seconds() > 0 and _eligible(request)):
        return None
    who = _who(request)
    if who is None:
        return None
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    if who == VISITOR:
        return "page", [("pages", "")], [path]
    session_key = request.COOKIES[settings.SESSION_COOKIE_NAME]
    return "person-page", [("pages", ""), sessions.ALL, sessions.dep(session_key)], [path, who]


def _local_size(entry: dict[str, Any] | None) -> int:
    return _entry_size(entry) if entry else 0


def _servable(entry: Any, looked_up: float) -> bool:
    """A kept page, not a remembered "may not be kept" (None), whose session (a person's
    copy) had not expired by the time the versions were read."""
    return isinstance(entry, dict) and (entry["expires"] is None or entry["expires"] > looked_up)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        looked = _lookup(request)
        if looked is None:
            return self.get_response(request)
        name, deps, parts = looked
        served: dict[str, HttpResponse] = {}

        def render() -> dict[str, Any] | None:
            served["response"] = response = self.get_response(request)
            return _freeze(request, response, parts[-1] if name == "person-page" else VISITOR)

        looked_up = time.time()
        entry = cache.fragment(
            name,
            compute=render,
            deps=deps,
            parts=parts,
            timeout=_seconds(),
            # Kept in this process too (dicts of bytes and strings that _thaw only reads),
            # within hub.cache's byte budget per process.
            local=True,
            local_size=_local_size,
        )
        if "response" in served:
            return served["response"]
        if not _servable(entry, looked_up):
            # This address's page may not be kept, or the person's session has expired.
            return self.get_response(request)
        return _thaw(request, entry, looked_up)


# --- Hits before Django's handler ---------------------------------------------------------


class _Body(list):
    """A hit's body for the WSGI server, which calls close() once it has been sent: then
    the sampled figures are written (hub.metrics), never before."""

    def __init__(self, content: bytes, after: Callable[[], None] | None) -> None:
        super().__init__([content])
        self._after = after

    def close(self) -> None:
        if self._after is not None:
            self._after()


def _serve(environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], _Body] | None:
    """A kept page's WSGI response (status, headers, body), or None for Django's handler:
    anything else, and a page not kept (yet), which the middleware then computes and keeps.
    The same lookup as the middleware's, and the same response (_thaw), without Django's
    handler, signals and other middleware, which a hit does not need: it reads no database,
    resolves no URL and runs no view."""
    if (
        environ.get("REQUEST_METHOD") != "GET"
        or not settings.NEXUS_CACHE
        or settings.CSRF_USE_SESSIONS
    ):
        return None
    request = WSGIRequest(environ)
    looked = _lookup(request)
    if looked is None:
        return None
    name, deps, parts = looked
    headers_wanted, sampled = metrics.wanted()
    measured = headers_wanted or sampled
    stats = cache.stats_begin() if measured else {}
    started = time.perf_counter()
    looked_up = time.time()
    try:
        entry = cache.peek(name, deps=deps, parts=parts, timeout=_seconds(), local_size=_local_size)
    finally:
        if measured:
            cache.stats_end()
    if not _servable(entry, looked_up):
        return None
    status, headers, content = _wsgi_hit(request, entry, looked_up)
    after = (
        metrics.observe(request, headers, started, 0, stats, headers_wanted, sampled)
        if measured
        else None
    )
    return status, headers, _Body(content, after)


def wsgi(django_application: Callable[..., Any]) -> Callable[..., Any]:
    """The WSGI application (hub/wsgi.py): kept pages served in front of Django's handler,
    everything else by it. Any error in the fast path is logged and left to Django's
    handler, which serves the request as if there were no fast path."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            served = _serve(environ)
        except Exception:  # never a 500 from the fast path: Django serves it
            logger.exception("page cache: fast path failed for %s", environ.get("PATH_INFO"))
            served = None
        if served is None:
            return django_application(environ, start_response)
        status, headers, body = served
        start_response(status, headers)
        return body

    return application


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
