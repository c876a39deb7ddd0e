"""The REST reads every viewer shares, kept in hub.cache (decision 0011).

Only the data a view would serialise comes from here: the DRF view still runs per request,
so authentication, token scopes, throttling and the RateLimit-* headers, the 404 of what a
viewer may not see, ETag / 304, Cache-Control and Vary are exactly as without a cache (the
ETag is a digest of the same body).

    data, own = shared_read(request, "api-questions", deps=[("questions", "")],
                            compute=lambda: page_data(request), keep=nothing_hidden)

An entry is keyed on the view's name, the site's address as this request gives it (the
bodies hold absolute URLs), the request's query parameters and the current versions of
`deps` (bumped by the apps' events after every write they make: the next read computes
afresh). Views call it only for viewers whose result is the public one, and decide that
themselves: a mentor or the author of a hidden post sees more, and per-viewer fields (a
vote, a star) are laid over the shared data from small per-viewer queries.

`compute` works out the data for the viewer in hand, as the uncached view would (so a cold
cache costs no query more than no cache); `keep(value)` false leaves a result that turned
out to be the viewer's own out of the cache. The second value returned tells whether it was
computed here, for this viewer (True), or is the shared copy (False), over which the view
lays the viewer's own bits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

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


def shared_read[T](
    request: Request,
    name: str,
    *,
    deps: Iterable[cache.Dep],
    compute: Callable[[], T],
    parts: Iterable[Any] = (),
    keep: Callable[[T], bool] | None = None,
) -> tuple[T, bool]:
    """(the data, whether it was computed for this viewer here) for a viewer-neutral read."""
    computed: list[bool] = []

    def run() -> T:
        computed.append(True)
        return compute()

    value = cache.fragment(
        name, deps=deps, parts=[*parts, query_key(request)], compute=run, keep=keep
    )
    return value, bool(computed)
