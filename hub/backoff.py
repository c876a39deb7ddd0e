"""The one back-off of every retried task: how long to wait before try n+1.

Countdowns go to RabbitMQ's native delayed delivery (docs/decisions/0020), which holds a
message for whole seconds: a countdown under 1 s truncates to 0 and was refused there
(measured with webhooks: the retry never happened). So every wait is a whole number of
seconds, at least 1.

    full jitter   a random wait in [1, min(cap, base * 2^n)]      (emails: spread a burst)
    half jitter   a random wait in [ceiling / 2, ceiling]          (webhooks: a receiver
                                                                    that is down gets room)
"""

from __future__ import annotations

import math
import random

MIN_COUNTDOWN = 1


def retry_countdown(retries: int, *, base: float, cap: float, jitter: str = "full") -> int:
    """Whole seconds to wait before the retry after `retries` earlier retries (0 for the
    first), never under MIN_COUNTDOWN."""
    ceiling = max(float(MIN_COUNTDOWN), min(float(cap), float(base) * 2 ** max(retries, 0)))
    if jitter == "full":
        low = 0.0
    elif jitter == "half":
        low = ceiling / 2
    else:
        raise ValueError(f"Unknown jitter {jitter!r}: 'full' or 'half'.")
    wait = random.uniform(low, ceiling)  # noqa: S311 - jitter, not a secret
    return max(MIN_COUNTDOWN, math.ceil(wait))
