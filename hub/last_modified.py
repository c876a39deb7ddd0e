"""`Last-Modified` and `If-Modified-Since` for cached copies, without ever answering 304 to
a copy that is out of date.

HTTP dates count whole seconds, and two versions of a page can be made within one second.
So a copy computed at `computed_at` (a Unix time from `time.time()`) is given the next whole
second as its `Last-Modified`, and only once that second has come: a copy younger than that
carries no `Last-Modified` at all (its ETag still validates it). A newer version is computed
after the bump that retired the old one, which happened after the old one was handed out;
so the new one's second is always later than any date handed out for an older one, and a
client's `If-Modified-Since` never matches a version it has not seen.

As RFC 9110 says (13.2.2), `If-Modified-Since` counts only when the request has no
`If-None-Match`: the ETag decides whenever the client sent one.
"""

from __future__ import annotations

import math
import time

from django.http import HttpRequest
from django.utils.http import http_date, parse_http_date_safe


def stamp(computed_at: float, now: float | None = None) -> int | None:
    """The whole second to send as `Last-Modified` for a copy computed at `computed_at`, or
    None while that second has not come yet."""
    second = math.floor(computed_at) + 1
    now = time.time() if now is None else now
    return second if now >= second else None


def header(computed_at: float, now: float | None = None) -> str | None:
    """The `Last-Modified` value for a copy computed at `computed_at`, or None (see stamp)."""
    second = stamp(computed_at, now)
    return None if second is None else http_date(second)


def not_modified(request: HttpRequest, computed_at: float, now: float | None = None) -> bool:
    """True when the request's `If-Modified-Since` (and no `If-None-Match`) shows the client
    holds this copy: a GET or HEAD whose date is at or after the copy's `Last-Modified`."""
    # (request.META, not request.headers: a page-cache hit builds no header mapping.)
    if request.method not in ("GET", "HEAD") or "HTTP_IF_NONE_MATCH" in request.META:
        return False
    asked = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if not asked:
        return False
    since = parse_http_date_safe(asked)
    second = stamp(computed_at, now)
    return since is not None and second is not None and since >= second
