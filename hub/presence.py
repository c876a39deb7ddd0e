"""Who is looking at a topic right now ("3 viewing"), kept in the cache.

A viewer is a signed-in user (all their tabs count once) or one anonymous tab. Each tab
is an entry with an expiry; tabs ping every 30 s, so a tab that vanished without saying
goodbye (a closed laptop) stops counting when its entry expires. The read-modify-write
below can lose an update when two tabs join at the same instant; the next ping repairs
it, which is all a viewer count needs.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from django.core.cache import cache
from django.utils.html import format_html

TAB_TTL = 75  # seconds; tabs ping every 30
CACHE_TTL = 3600


def _key(topic: str) -> str:
    return f"presence:{topic}"


def _dom_id(topic: str) -> str:
    return topic.replace(":", "-")


def _live(entries: dict[str, dict[str, float]], now: float) -> dict[str, dict[str, float]]:
    fresh = {}
    for viewer, tabs in entries.items():
        tabs = {channel: expires for channel, expires in tabs.items() if expires > now}
        if tabs:
            fresh[viewer] = tabs
    return fresh


async def _update(topic: str, viewer: str, channel: str, *, present: bool) -> tuple[int, int]:
    """Record or drop one tab; returns the viewer count (before, after)."""
    now = time.time()
    entries = _live(await cache.aget(_key(topic), {}), now)
    before = len(entries)
    tabs = entries.setdefault(viewer, {})
    if present:
        tabs[channel] = now + TAB_TTL
    else:
        tabs.pop(channel, None)
        if not tabs:
            entries.pop(viewer)
    await cache.aset(_key(topic), entries, CACHE_TTL)
    return before, len(entries)


async def _broadcast(topic: str, count: int, layer: Any) -> None:
    from hub import live

    await layer.group_send(
        live.group_for(topic),
        {"type": "live.event", "html": viewers_fragment(topic, count), "topic": topic},
    )


# Joins and leaves are coalesced: at most one "N viewing" per topic per COALESCE seconds
# from each server process, with the count read when it is sent. Without this, N tabs
# opening one page would send N² messages.
COALESCE = 1.0
_pending: set[str] = set()


async def _broadcast_soon(topic: str, layer: Any) -> None:
    if topic in _pending:
        return
    _pending.add(topic)

    async def later() -> None:
        try:
            await asyncio.sleep(COALESCE)
            entries = _live(await cache.aget(_key(topic), {}), time.time())
            await _broadcast(topic, len(entries), layer)
        except Exception:  # noqa: BLE001 - presence is best effort
            return
        finally:
            _pending.discard(topic)

    _tasks.add(task := asyncio.ensure_future(later()))
    task.add_done_callback(_tasks.discard)


_tasks: set[asyncio.Future] = set()


async def join(topic: str, viewer: str, channel: str, layer: Any) -> None:
    await _update(topic, viewer, channel, present=True)
    await _broadcast_soon(topic, layer)


async def touch(topic: str, viewer: str, channel: str, layer: Any) -> None:
    before, after = await _update(topic, viewer, channel, present=True)
    if after != before:
        await _broadcast_soon(topic, layer)


async def leave(topic: str, viewer: str, channel: str, layer: Any) -> None:
    try:
        before, after = await _update(topic, viewer, channel, present=False)
        if after != before:
            await _broadcast_soon(topic, layer)
    except Exception:  # noqa: BLE001 - a tab leaving while Redis is down is not an error
        return


def count(topic: str) -> int:
    return len(_live(cache.get(_key(topic), {}), time.time()))


def viewers_fragment(topic: str, number: int) -> str:
    label = "1 viewing" if number == 1 else f"{number} viewing"
    return format_html(
        '<span id="viewers-{}" class="viewers" hx-swap-oob="true" '
        'aria-label="{} people viewing">{}</span>',
        _dom_id(topic),
        number,
        label,
    )


def typing_fragment(topic: str, user: Any) -> str:
    return format_html(
        '<p id="typing-{}" class="typing" hx-swap-oob="true" data-user="{}" role="status">'
        "{} is writing an answer…</p>",
        _dom_id(topic),
        user.pk,
        user.display_name or user.handle,
    )


def typing_clear_fragment(topic: str) -> str:
    return format_html(
        '<p id="typing-{}" class="typing" hx-swap-oob="true" role="status"></p>', _dom_id(topic)
    )
