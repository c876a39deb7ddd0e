"""HTTP caching headers for pages: one rule per kind of response.

    HTMX fragment (HX-Request)       Cache-Control: no-store  (the back button never restores
                                     a stale fragment)
    signed-in page                   Cache-Control: private, no-cache
    anonymous page                   Cache-Control: no-cache (+ private when it sets a cookie),
                                     ETag, and 304 Not Modified on a matching If-None-Match;
                                     a copy from hub.page_cache adds Last-Modified and answers
                                     If-Modified-Since too (hub.last_modified)

Every page varies on Cookie and HX-Request (the same URL is a page or a fragment, for a
visitor or a person). Only GET/HEAD 200 HTML responses are touched, never /api/ and
/graphql/ (the API sets its own ETag and Cache-Control; a response that already has an ETag
or a Cache-Control is left as its view made it).

The anonymous ETag is a hash of the body with the per-response parts taken out: the CSP
nonce and the CSRF token (masked differently on every response, though any of them is valid
for the visitor's cookie). A 304 carries no Content-Security-Policy header, so the browser
keeps the policy stored with its copy, whose nonce matches that copy's scripts. The page's
live clock (#live-at, the time it was rendered) is left out too: a tab showing a copy
asks the live catch-up for what happened since that older time, which is only more.
Sits before the CSP middleware in MIDDLEWARE, so it sees (and can drop) that header. It marks
the pages it applied its page rule to (`nexus_page_kind`): the only ones hub.page_cache keeps.
"""

from __future__ import annotations

import hashlib
import re

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

SKIP_PREFIXES = ("/api/", "/graphql", "/static/", "/healthz", "/readyz", "/ws/")
# Per-response values that must not make two equal pages look different.
_VOLATILE = re.compile(
    rb'(nonce="|name="csrfmiddlewaretoken" value="|"X-CSRFToken": "'
    rb'|<template id="live-at" data-at=")[^"]*"'
)


def etag(content: bytes) -> str:
    digest = hashlib.blake2b(_VOLATILE.sub(rb"\1", content), digest_size=16).hexdigest()
    return f'W/"{digest}"'


class HttpCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or response.streaming
            or request.path.startswith(SKIP_PREFIXES)
            or not response.get("Content-Type", "").startswith("text/html")
            or response.has_header("ETag")
            or response.has_header("Cache-Control")
        ):
            return response
        patch_vary_headers(response, ("Cookie", "HX-Request"))
        if request.headers.get("HX-Request"):
            response["Cache-Control"] = "no-store"
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-cache"
            response.nexus_page_kind = "person"  # type: ignore[attr-defined]  (hub.page_cache)
            return response
        response["Cache-Control"] = "no-cache" + (", private" if response.cookies else "")
        tag = etag(response.content)
        response["ETag"] = tag
        response.nexus_page_kind = "visitor"  # type: ignore[attr-defined]
        if tag in parse_etags(request.headers.get("If-None-Match", "")) or (
            request.headers.get("If-None-Match", "").strip() == "*"
        ):
            return not_modified(response)
        return response


def not_modified(response: HttpResponse) -> HttpResponse:
    """The 304 for `response`: its validators, Cache-Control, Vary and cookies, and no
    Content-Security-Policy (the browser keeps the one stored with its copy)."""
    answer = HttpResponseNotModified()
    for header in ("ETag", "Last-Modified", "Cache-Control", "Vary"):
        if header in response:
            answer[header] = response[header]
    answer.cookies = response.cookies
    return answer
