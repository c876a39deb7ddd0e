"""The one WebSocket consumer behind /ws/live/.

It authenticates (the session, through AuthMiddlewareStack; the origin was checked by
AllowedHostsOriginValidator), authorises each topic the page asked for once, at connect,
joins their groups and forwards events. It never writes content and never renders per
recipient. Two small client messages are understood: `typing` (throttled, re-published to
the question's group) and `ping` (keeps presence alive).

Access is followed, not just checked once (docs/decisions/0012-live-sockets-follow-access.md):
a signed-in socket joins its user's and its session's control groups; `access.changed`
re-checks the session, the account and every topic and closes the socket (4403) when
any of them is gone; `access.ended` (signed out) closes it at once; `live.recheck` on a
topic's group drops that topic for a viewer who may no longer see it. A timer closes the
socket when its session expires, and a periodic check (SESSION_CHECK_INTERVAL) catches
what a lost control message missed. Inbound frames are bounded: over MAX_FRAME_BYTES
closes with 1009, more than RATE_BURST frames beyond RATE_PER_SECOND closes with 1008,
both before any JSON is parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import DatabaseError
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from redis.exceptions import RedisError

from hub import live, presence

logger = logging.getLogger(__name__)

TYPING_INTERVAL = 3.0  # seconds between two typing notices from one tab
# Inbound limits (the page sends a ping every 25 s and a typing notice at most every 3 s).
MAX_FRAME_BYTES = 4096
RATE_PER_SECOND = 10.0
RATE_BURST = 20
# The safety net behind the control groups: each signed-in socket re-checks its session
# and account this often (one small query); a session's expiry closes it on time.
SESSION_CHECK_INTERVAL = 30.0
CLOSE_ACCESS_GONE = 4403  # the page reconnects and gets only what it may see now
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


class FollowsAccess:
    """How every socket of ours follows its viewer's access (decision 0012), shared by
    LiveConsumer (/ws/live/) and the GraphQL socket (/ws/graphql/).

    A consumer calls `_access_refused(user)` before accepting (suspended and deactivated
    accounts are refused with 4403), `_access_join()` to join the user's and the
    session's control groups, `_access_watch(expires_at)` once accepted, and
    `_access_leave()` on disconnect. `access.changed` re-checks the session, the account
    and every topic from `_followed_topics()` in one DB hop and closes with 4403 when any
    is gone (otherwise the scope's user is refreshed, so a new role applies at once);
    `access.ended` (signed out) closes at once; a periodic check and the session's
    expiry catch what no message announced. `_close_for` stops forwarding (`closing`),
    leaves `_groups_held()` and closes.
    """

    scope: dict[str, Any]
    channel_layer: Any
    channel_name: str
    closing: bool = False
    control_groups: list[str]
    watch: asyncio.Task | None = None

    def _followed_topics(self) -> list[str]:
        return []

    def _groups_held(self) -> list[str]:
        return list(getattr(self, "control_groups", []))

    @staticmethod
    def _access_refused(user: Any) -> bool:
        """Suspended people still read the pages (which poll for changes); their sockets
        are refused for the length of the suspension, as are deactivated accounts'."""
        return bool(
            user is not None
            and user.is_authenticated
            and (not user.is_active or getattr(user, "is_suspended", False))
        )

    async def _access_join(self) -> datetime | None:
        """Join the control groups of a signed-in socket; returns the session's expiry."""
        self.closing = False
        self.control_groups = []
        self.watch = None
        user = self.scope.get("user")
        session_key = self._session_key()
        if user is None or not user.is_authenticated or not session_key:
            return None
        self.control_groups = [
            live.access_user_group(user.pk),
            live.access_session_group(session_key),
        ]
        for group in self.control_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        return await database_sync_to_async(_session_expiry)(session_key)

    def _access_watch(self, expires_at: datetime | None) -> None:
        if self.control_groups:
            self.watch = asyncio.create_task(self._watch(expires_at))

    async def _access_leave(self) -> None:
        watch = getattr(self, "watch", None)
        if watch is not None and watch is not asyncio.current_task():
            watch.cancel()
        for group in getattr(self, "control_groups", []):
            with contextlib.suppress(*OUTAGE_ERRORS):
                await self.channel_layer.group_discard(group, self.channel_name)

    async def access_changed(self, message: dict) -> None:
        await self._recheck_access()

    async def access_ended(self, message: dict) -> None:
        await self._close_for("signed out", CLOSE_ACCESS_GONE)

    async def _recheck_access(self) -> None:
        if self.closing:
            return
        reason, fresh = await database_sync_to_async(access_check)(
            self.scope.get("user"), self._session_key(), self._followed_topics()
        )
        if reason:
            await self._close_for(reason, CLOSE_ACCESS_GONE)
        elif fresh is not None:
            self.scope["user"] = fresh  # a changed role applies to what follows

    async def _watch(self, expires_at: datetime | None) -> None:
        """The periodic check, and the session's expiry (whichever comes first)."""
        try:
            while not self.closing:
                wait = SESSION_CHECK_INTERVAL
                if expires_at is not None:
                    wait = min(wait, max(0.0, (expires_at - timezone.now()).total_seconds()))
                await asyncio.sleep(wait)
                if expires_at is not None and timezone.now() >= expires_at:
                    await self._close_for("session expired", CLOSE_ACCESS_GONE)
                    return
                await self._recheck_access()
        except asyncio.CancelledError:
            raise
        except OUTAGE_ERRORS as error:  # the check cannot run: close, the page retries
            _outage_log(error)
            await self._close_for("check unavailable", 1013)

    async def _close_for(self, reason: str, code: int, **fields: Any) -> None:
        """Stop forwarding at once, leave every group, then close."""
        if self.closing:
            return
        self.closing = True
        user = self.scope.get("user")
        logger.info(
            "live: socket closed (%s) code=%s user=%s %s",
            reason,
            code,
            getattr(user, "pk", None),
            " ".join(f"{k}={v}" for k, v in fields.items()),
        )
        for group in self._groups_held():
            with contextlib.suppress(*OUTAGE_ERRORS):
                await self.channel_layer.group_discard(group, self.channel_name)
        await self.close(code=code)  # type: ignore[attr-defined]

    def _session_key(self) -> str:
        session = self.scope.get("session")
        return getattr(session, "session_key", None) or ""


class LiveConsumer(FollowsAccess, AsyncJsonWebsocketConsumer):
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
        self.tokens, self.refilled_at = float(RATE_BURST), time.monotonic()
        user = self.scope.get("user")
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        requested = live.topics_parse(",".join(query.get("topics", [])))
        if self._access_refused(user):
            await self.close(code=CLOSE_ACCESS_GONE)
            return
        if requested:
            self.topics = await database_sync_to_async(live.topics_authorize)(user, requested)
        expires_at = await self._access_join()
        for group in self.topics.values():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self._access_watch(expires_at)
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
        await self._access_leave()
        for group in getattr(self, "topics", {}).values():
            await self.channel_layer.group_discard(group, self.channel_name)

    def _followed_topics(self) -> list[str]:
        return list(self.topics)

    def _groups_held(self) -> list[str]:
        return [*super()._groups_held(), *self.topics.values()]

    async def dispatch(self, message: dict) -> None:
        # Forwarding never touches the ORM: skip Channels' per-message connection cleanup
        # (a thread hop per message per consumer; measured to triple fan-out latency).
        if message["type"] == "live.event":
            topic = message.get("topic")
            if not self.closing and (topic is None or topic in self.topics):
                await self.send(text_data=message["html"])
            return
        await super().dispatch(message)

    # --- Inbound limits ----------------------------------------------------------------

    async def websocket_receive(self, message: dict) -> None:
        """Size and rate are checked on the raw frame, before any JSON is parsed."""
        if self.closing:
            return
        size = len(message.get("text") or "") + len(message.get("bytes") or b"")
        if size > MAX_FRAME_BYTES:
            await self._close_for("frame too large", 1009, size=size)
            return
        now = time.monotonic()
        self.tokens = min(RATE_BURST, self.tokens + (now - self.refilled_at) * RATE_PER_SECOND)
        self.refilled_at = now
        if self.tokens < 1:
            await self._close_for("too many messages", 1008)
            return
        self.tokens -= 1
        await super().websocket_receive(message)

    # --- Access follows the viewer -----------------------------------------------------

    async def live_recheck(self, message: dict) -> None:
        """A topic's object changed who may see it: keep it only if this viewer still may."""
        topic = message.get("topic", "")
        if topic not in self.topics or self.closing:
            return
        user = self.scope.get("user")
        allowed = await database_sync_to_async(live.topics_authorize)(user, [topic])
        if topic not in allowed:
            group = self.topics.pop(topic)
            await self.channel_layer.group_discard(group, self.channel_name)
            logger.info(
                "live: topic %s dropped for user %s (no longer visible)",
                topic,
                getattr(user, "pk", None),
            )

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
            {"type": "live.event", "html": presence.typing_fragment(topic, user), "topic": topic},
        )

    def _presence_topics(self) -> list[str]:
        return [t for t in getattr(self, "topics", {}) if t.startswith("question:")]

    def _viewer_key(self) -> str:
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            return f"u{user.pk}"
        return f"a{self.channel_name}"


def _session_expiry(session_key: str) -> datetime | None:
    """When the stored session ends (database sessions), or None if unknown."""
    from django.contrib.sessions.models import Session

    return (
        Session.objects.filter(session_key=session_key)
        .values_list("expire_date", flat=True)
        .first()
    )


def access_check(user: Any, session_key: str, topics: list[str]) -> tuple[str, Any]:
    """(why a signed-in socket must close now, or ""; the account as stored now, or
    None). Access holds while the session still exists, unexpired, for this user with
    the account's current auth hash (a "sign out everywhere" changes it); the account is
    active and not suspended; every topic it follows is still allowed."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore

    if user is None or not user.is_authenticated:
        return "", None
    data = store_class(session_key).load() if session_key else {}
    if str(data.get(SESSION_KEY, "")) != str(user.pk):
        return "session ended", None
    fresh = get_user_model().objects.filter(pk=user.pk).first()
    if fresh is None or not fresh.is_active:
        return "account deactivated", None
    if not constant_time_compare(data.get(HASH_SESSION_KEY, ""), fresh.get_session_auth_hash()):
        return "signed out everywhere", None
    if getattr(fresh, "is_suspended", False):
        return "account suspended", None
    allowed = live.topics_authorize(fresh, topics)
    lost = [t for t in topics if t not in allowed]
    if lost:
        return f"topics no longer allowed: {','.join(lost)}", None
    return "", fresh
