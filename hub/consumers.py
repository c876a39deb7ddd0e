"""The one WebSocket consumer behind /ws/live/.

It authenticates (the session, through AuthMiddlewareStack; the origin was checked by
AllowedHostsOriginValidator), authorises each topic the page asked for once, at connect,
joins their groups and forwards events. It never writes content and never renders per
recipient. Two small client messages are understood: `typing` (throttled, re-published to
the question's group) and `ping` (keeps presence alive).
"""

from __future__ import annotations

import contextlib
import logging
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import DatabaseError
from redis.exceptions import RedisError

from hub import live, presence

logger = logging.getLogger(__name__)

TYPING_INTERVAL = 3.0  # seconds between two typing notices from one tab
# What an outage of Redis (the channel layer) or the database raises inside the consumer.
OUTAGE_ERRORS = (RedisError, OSError, DatabaseError)
OUTAGE_LOG_INTERVAL = 60.0  # one log line a minute while sockets are being refused
_outage = {"logged_at": float("-inf"), "refused": 0}


def _outage_log(error: BaseException) -> None:
    """Count a refused or dropped socket; say so at most once per OUTAGE_LOG_INTERVAL."""
    _outage["refused"] += 1
    now = time.monotonic()
    if now - _outage["logged_at"] >= OUTAGE_LOG_INTERVAL:
        logger.warning(
            "live: channel layer or database unavailable (%s); %d socket(s) refused or "
            "closed since the last report, tabs will reconnect and catch up",
            type(error).__name__,
            _outage["refused"],
        )
        _outage["logged_at"] = now
        _outage["refused"] = 0


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def __call__(self, scope, receive, send) -> None:
        """With Redis or the database down, `group_add`, the layer's receive loop or the
        topic check raise: refuse the handshake (or close an open socket with 1013, "try
        again later", which the page retries with a short back-off) instead of crashing
        into a 500 and a traceback per attempt."""
        self._accepted = False
        try:
            await super().__call__(scope, receive, send)
        except OUTAGE_ERRORS as error:
            _outage_log(error)
            message = {"type": "websocket.close"}
            if self._accepted:
                message["code"] = 1013
            with contextlib.suppress(Exception):  # the client may be gone already
                await send(message)

    async def accept(self, subprotocol=None, headers=None) -> None:
        await super().accept(subprotocol, headers)
        self._accepted = True

    async def connect(self) -> None:
        self.topics: dict[str, str] = {}
        self.last_typing = 0.0
        user = self.scope.get("user")
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        requested = live.topics_parse(",".join(query.get("topics", [])))
        if requested:
            self.topics = await database_sync_to_async(live.topics_authorize)(user, requested)
        for group in self.topics.values():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        for topic in self._presence_topics():
            try:
                await presence.join(
                    topic, self._viewer_key(), self.channel_name, self.channel_layer
                )
            except Exception:  # noqa: BLE001 - presence is a nicety; the socket still works
                logger.warning("live: presence unavailable for %s", topic)

    async def disconnect(self, code: int) -> None:
        for topic in self._presence_topics():
            await presence.leave(topic, self._viewer_key(), self.channel_name, self.channel_layer)
        for group in self.topics.values():
            await self.channel_layer.group_discard(group, self.channel_name)

    async def dispatch(self, message: dict) -> None:
        # Forwarding never touches the ORM: skip Channels' per-message connection cleanup
        # (a thread hop per message per consumer; measured to triple fan-out latency).
        if message["type"] == "live.event":
            await self.send(text_data=message["html"])
            return
        await super().dispatch(message)

    async def live_event(self, event: dict) -> None:
        await self.send(text_data=event["html"])

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "ping":
            for topic in self._presence_topics():
                await presence.touch(
                    topic, self._viewer_key(), self.channel_name, self.channel_layer
                )
        elif kind == "typing":
            await self._typing(str(content.get("topic", "")))

    async def _typing(self, topic: str) -> None:
        """Tell a question's other tabs that this viewer is writing an answer (at most once
        per TYPING_INTERVAL per tab; only signed-in viewers on a topic they joined)."""
        user = self.scope.get("user")
        now = time.monotonic()
        if (
            topic not in self.topics
            or not topic.startswith("question:")
            or user is None
            or not user.is_authenticated
            or now - self.last_typing < TYPING_INTERVAL
        ):
            return
        self.last_typing = now
        await self.channel_layer.group_send(
            self.topics[topic],
            {"type": "live.event", "html": presence.typing_fragment(topic, user)},
        )

    def _presence_topics(self) -> list[str]:
        return [t for t in getattr(self, "topics", {}) if t.startswith("question:")]

    def _viewer_key(self) -> str:
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            return f"u{user.pk}"
        return f"a{self.channel_name}"
