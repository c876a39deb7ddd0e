"""The signature of a delivery, and its check (what a receiver does, in Python).

    X-Nexus-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>

`body` is the request body exactly as sent (bytes). A receiver recomputes the HMAC with
its secret, compares in constant time and refuses a `t` older than a few minutes (a
replayed request). `v1` names the scheme, so a later one can be added beside it.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def signature_verify(
    *, secret: str, body: bytes, header: str, tolerance: int = 300, now: float | None = None
) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature_header(secret=secret, body=body, timestamp=timestamp)
    return hmac.compare_digest(expected.split("v1=", 1)[1], parts.get("v1", ""))
