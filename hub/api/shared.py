"""The REST reads every viewer shares, kept in hub.cache (decision 0011).

Only the data a view would serialise comes from here: the DRF view still runs per request,
so authentication, token scopes, throttling and the RateLimit-* headers, the 404 of what a
viewer may not see, ETag / 304, Cache-Control and Vary are exactly as without a cache (the
ETag is a digest of the same body).

    shared = shared_read(request, "api-questions", deps=[("questions", "")],
                         compute=lambda: page_data(request), keep=nothing_hidden)
    data = whole_body(request, shared) if anonymous else shared.value

An entry is keyed on the view's name, the site's address as this request gives it (the
bodies hold absolute URLs), the request's query parameters and the current versions of
`deps` (bumped by the apps' events after every write they make: the next read computes
afresh). Views call it only for viewers whose result is the public one, and decide that
themselves: a mentor or the author of a hidden post sees more, and per-viewer fields (a
vote, a star) are laid over the shared data from small per-viewer queries.

`compute` works out the data for the viewer in hand, as the uncached view would (so a cold
cache costs no query more than no cache); `keep(value)` false leaves a result that turned
out to be the viewer's own out of the cache. `shared.computed` tells whether it was computed
here, for this viewer (True), or is the shared copy (False), over which the view lays the
viewer's own bits.

`Last-Modified` (hub.last_modified): each entry is kept with the time it was computed, so
every worker and every hit give the same one. A view whose response body is the shared
copy as it is (nothing laid over it, nothing added) says so with `whole_body(request,
shared)`, and ApiView.finalize_response then sends the entry's `Last-Modified` and answers
`If-Modified-Since` (without `If-None-Match`) with 304. The second counts as come only if it
had come before the versions were read (`seen_at`): the bump that retires the entry comes
after that read, so any newer entry is computed later than the date handed out, however
long this request takes to answer. Everything else (a body with the viewer's votes or stars,
a thread whose question and comments are read per request, a read computed without the
cache) carries no `Last-Modified`: its ETag still validates it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from rest_framework.request import Request

from hub import cache


def viewer_kind(request: Request) -> str:
    """ "anonymous", "mentor" or "member" (any other account)."""
    user = request.user
    if not (user and user.is_authenticated):
        return "anonymous"
    return "mentor" if user.is_mentor else "member"


def query_key(request: Request) -> str:
    """The request's address and query parameters, as one short part of a key."""
    params = sorted((key, sorted(values)) for key, values in request.query_params.lists())
    facts = repr((request.build_absolute_uri("/"), params))
    return hashlib.blake2b(facts.encode(), digest_size=16).hexdigest()


class Shared[T](NamedTuple):
    """What shared_read found: the data, whether it was computed here for this viewer, when
    it was computed (a Unix time, kept with the entry) and when this read began (before the
    versions were read)."""

    value: T
    computed: bool
    computed_at: float
    seen_at: float


# The key part that marks entries kept as (computed_at, value) pairs: entries cached in
# another shape (before the times were kept) are never read as pairs.
_DATED = "at"
# The request attribute ApiView.finalize_response reads: (computed_at, seen_at).
LAST_MODIFIED_ATTR = "nexus_last_modified"


def shared_read[T](
    request: Request,
    name: str,
    *,
    deps: Iterable[cache.Dep],
    compute: Callable[[], T],
    parts: Iterable[Any] = (),
    keep: Callable[[T], bool] | None = None,
) -> Shared[T]:
    """The data of a viewer-neutral read, with whether it was computed for this viewer here
    and its times (see Shared)."""
    computed: list[bool] = []
    seen_at = time.time()

    def run() -> tuple[float, T]:
        computed.append(True)
        computed_at = time.time()
        return computed_at, compute()

    computed_at, value = cache.fragment(
        name,
        deps=deps,
        parts=[_DATED, *parts, query_key(request)],
        compute=run,
        keep=None if keep is None else lambda pair: keep(pair[1]),
    )
    return Shared(value, bool(computed), computed_at, seen_at)


def whole_body[T](request: Request, shared: Shared[T]) -> T:
    """`shared.value`, declared to be this response's whole body as it is (the body is
    made from it and the request's address alone): the response carries the entry's
    `Last-Modified`, once its second had come when this read began."""
    setattr(request, LAST_MODIFIED_ATTR, (shared.computed_at, shared.seen_at))
    return shared.value
