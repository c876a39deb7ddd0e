"""allauth's rate limits when the cache (Redis) is down.

allauth keeps its rate-limit counters in the default cache, so with Redis down every
sign-in, sign-up and password reset raised a ConnectionError (a 500). `install()` gives
allauth's rate-limit module a cache that answers from a per-process local memory while
Redis is unreachable, or refuses, according to the action (docs/decisions/0009):

- "local" (fail open, still bounded): the limit is counted in this process's memory. Each
  web process counts on its own, so an attacker gets at most (processes x limit); signing
  in, signing up and changing a password keep working.
- "closed": the action answers allauth's 429 page ("wait a few minutes") until Redis is
  back. For password-reset mail, which goes to any address typed in: without a shared
  counter it could be used to flood someone's inbox from many processes, and nobody loses
  a session by retrying a minute later.

After a failure Redis is not asked again for RETRY_AFTER seconds, so a Redis that hangs
costs one bounded timeout, not one per cache call. One warning a minute says it is down.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without asking Redis after it failed
LOG_INTERVAL = 60.0
DEFAULT_POLICY = "local"
# allauth's rate-limit keys read "allauth:rl:<app>:<action>:<rate>:<source>[:lock]".
_PREFIX = "allauth:rl:"


def policy_for(key: str) -> str:
    action = ""
    if key.startswith(_PREFIX):
        parts = key[len(_PREFIX) :].split(":")
        action = parts[1] if len(parts) > 1 else ""
    return getattr(settings, "NEXUS_RATE_LIMITS_WHEN_CACHE_DOWN", {}).get(action, DEFAULT_POLICY)


class OutageTolerantCache:
    """The few cache calls allauth's rate limits make (add, get, set, delete), against the
    shared cache while it answers and per policy while it does not."""

    def __init__(self, primary: Any = default_cache) -> None:
        self.primary = primary
        self.local = LocMemCache("nexus-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self.down_until = 0.0
        self.logged_at = float("-inf")

    def _call(self, name: str, key: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self.down_until:
            try:
                return getattr(self.primary, name)(key, *args, **kwargs)
            except Exception as error:  # noqa: BLE001 - any cache failure means "down"
                self._down(error)
        if policy_for(key) == "closed":
            # A lock that cannot be taken: allauth refuses the action with its 429 page.
            if name == "add":
                return False
            if name == "get":
                return args[0] if args else None
            return None
        return getattr(self.local, name)(key, *args, **kwargs)

    def _down(self, error: Exception) -> None:
        now = time.monotonic()
        self.down_until = now + RETRY_AFTER
        if now - self.logged_at >= LOG_INTERVAL:
            self.logged_at = now
            logger.warning(
                "rate limits: cache unavailable (%s); counting in process memory or "
                "refusing, per action, until it is back",
                type(error).__name__,
            )

    def add(self, key: str, value: Any, timeout: Any = None) -> bool:
        return self._call("add", key, value, timeout)

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, default)

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        self._call("set", key, value, timeout)

    def delete(self, key: str) -> bool:
        return self._call("delete", key)


def install() -> None:
    """Point allauth's rate-limit module at the tolerant cache (called from AppConfig.ready).
    allauth reads its cache from a module global, `allauth.core.internal.ratelimit.cache`;
    tests in accounts/tests/test_ratelimits.py fail if a new allauth moves it."""
    from allauth.core.internal import ratelimit

    if not isinstance(ratelimit.cache, OutageTolerantCache):
        ratelimit.cache = OutageTolerantCache()


def consume(request: HttpRequest, *, action: str) -> bool:
    """Count one ``action`` by the signed-in person against its rate in ACCOUNT_RATE_LIMITS
    (allauth's counters, so the same cache and outage policy); False once it is spent.
    For Nexus's own per-account limits, e.g. "markdown_preview"."""
    from allauth.core import ratelimit

    return ratelimit.consume(request, action=action, user=request.user)
