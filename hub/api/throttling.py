"""Request rate limits for the API, per account and per anonymous client address.

Counted in the cache (Redis in production) with DRF's sliding window. Each check leaves
its numbers on the request, and `ApiView` writes them on every response as
`RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds). A refusal is
429 with `Retry-After`. The client address behind the proxy comes from
`X-Forwarded-For`, trusting exactly `NEXUS_API_PROXY_COUNT` proxies (DRF's
`NUM_PROXIES`). Posting limits are not counted here: the services count posts
themselves, so the pages and the API share them.
"""

import logging
from typing import Any

from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class RequestRateThrottle(SimpleRateThrottle):
    """`user` rate for signed-in requests (session or token), `anon` per address."""

    scope = "user"

    def get_rate(self) -> str:
        from django.conf import settings

        return settings.NEXUS_API_RATES[self.scope]

    def allow_request(self, request: Any, view: Any) -> bool:
        user = getattr(request, "user", None)
        self.scope = "user" if user is not None and user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            allowed = super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - a cache outage must not take the API down
            logger.warning("API rate limit not counted: the cache is unreachable")
            return True
        remaining = max(0, self.num_requests - len(self.history))
        reset = int(self.duration - (self.now - self.history[-1])) if self.history else 0
        request.rate_limit = (self.num_requests, remaining, max(reset, 0))
        return allowed

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"u{user.pk}"
        else:
            ident = f"a{self.get_ident(request)}"
        return f"api-rate:{self.scope}:{ident}"
