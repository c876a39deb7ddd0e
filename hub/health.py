"""Readiness checks: each returns None when healthy or a short reason when not.

/readyz is public, so a reason says what failed in plain words ("unreachable", "timed
out") and never carries the driver's message (hosts, ports, user names); `readiness()`
logs the full error."""

import asyncio
import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        return _reason(error, "database")
    return None


def check_cache() -> str | None:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=5)
        if cache.get(key) != "ok":
            return "value written was not read back"
        cache.delete(key)
    except Exception as error:  # noqa: BLE001
        return _reason(error, "cache")
    return None


async def _round_trip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel("readyz.")
    await layer.send(channel, {"type": "readyz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "readyz.ping":
        raise RuntimeError("unexpected message")


def check_channel_layer() -> str | None:
    async def bounded() -> None:
        await asyncio.wait_for(_round_trip(), TIMEOUT_SECONDS)

    try:
        async_to_sync(bounded)()
    except TimeoutError:
        return f"no answer within {TIMEOUT_SECONDS:g}s"
    except Exception as error:  # noqa: BLE001
        return _reason(error, "channel_layer")
    return None


CHECKS = {"database": check_database, "cache": check_cache, "channel_layer": check_channel_layer}


def readiness() -> dict[str, str | None]:
    return {name: check() for name, check in CHECKS.items()}


def _reason(error: Exception, check: str) -> str:
    """The public reason for `error`; the error itself goes to the log."""
    logger.warning("readyz: %s is down: %s: %s", check, type(error).__name__, error)
    if isinstance(error, TimeoutError) or "timeout" in type(error).__name__.lower():
        return "timed out"
    return "unreachable"
