"""Live updates: topics, the publisher, and catch-up.

A page names the topics it follows (`question:42`, `feed`, `user:me`); the one consumer
(`hub.consumers.LiveConsumer`) asks this module which of them the viewer may follow and
joins their channel-layer groups. Apps describe their topics here at start-up
(`register`), so hub imports no app:

    live.register(live.Topic("question", group=question_group, authorize=..., catch_up=...))

Services publish after commit through `publish_on_commit`: the fragment is rendered once,
viewer-neutral, and sent to the topic's group; every tab following it swaps it in by id
(hx-swap-oob). The database stays the truth: a tab that missed events asks
`/live/catch-up` over HTTP, and a publish that fails (Redis down) is logged, never raised.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_TOPICS = 8
# A publish failure is logged once per this many seconds, not once per event.
FAILURE_LOG_INTERVAL = 60.0


@dataclass(frozen=True)
class Topic:
    """A kind of live topic. `key` is what follows the colon: `question:42` -> "42"."""

    name: str
    group: Callable[[str], str]
    authorize: Callable[[Any, str], bool]
    # Fragments (hx-swap-oob) that bring a page up to date since an ISO time, or "".
    catch_up: Callable[[HttpRequest, str, Any], str] | None = None


_topics: dict[str, Topic] = {}


def register(topic: Topic) -> None:
    _topics[topic.name] = topic


def _split(raw: str) -> tuple[Topic, str] | None:
    name, _, key = raw.strip().partition(":")
    topic = _topics.get(name)
    if topic is None or len(key) > 40:
        return None
    return topic, key


def resolve(user: Any, raw: str) -> str:
    """`user:me` means the viewer's own topic; everything else is taken as written."""
    if raw == "user:me" and user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return raw


def topics_parse(value: str) -> list[str]:
    """The topics a page asked for: comma-separated, deduplicated, at most MAX_TOPICS."""
    seen: list[str] = []
    for part in value.split(","):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen[:MAX_TOPICS]


def topics_authorize(user: Any, requested: list[str]) -> dict[str, str]:
    """{topic: group} for the requested topics the viewer may follow; the rest are dropped
    (and logged). Runs the apps' checks, so call it from sync code or a DB thread."""
    allowed: dict[str, str] = {}
    for raw in requested:
        topic_key = resolve(user, raw)
        found = _split(topic_key)
        if found is None:
            logger.info("live: unknown topic %r refused", raw)
            continue
        topic, key = found
        try:
            ok = topic.authorize(user, key)
        except (ValueError, TypeError):
            ok = False
        if ok:
            allowed[topic_key] = topic.group(key)
        else:
            logger.info("live: topic %r refused for user %s", raw, getattr(user, "pk", None))
    return allowed


def group_for(topic_key: str) -> str:
    found = _split(topic_key)
    if found is None:
        raise ValueError(f"Unknown live topic {topic_key!r}")
    topic, key = found
    return topic.group(key)


# --- Publishing -------------------------------------------------------------------------

_last_failure_log = 0.0


def _message(html: str, event: dict | None, topic: str | None = None) -> dict:
    """The channel-layer message: the fragment for pages and, when given, what happened
    as data (`{"name": "answer.created", "id": 42}`) for the GraphQL subscriptions,
    which load the object again with each subscriber's own visibility."""
    message: dict[str, Any] = {"type": "live.event", "html": html}
    if topic is not None:
        message["topic"] = topic
    if event is not None:
        message["event"] = event
    return message


def publish(topic_key: str, html: str, event: dict | None = None) -> bool:
    """Send a rendered fragment to every tab following `topic_key`. Never raises: the
    write that caused the event has committed, and tabs catch up when they reconnect."""
    global _last_failure_log
    # The topic rides along: a socket that dropped it (access re-checked) while this was
    # already queued for it discards it (hub.consumers.LiveConsumer.dispatch).
    message = _message(html, event, topic_key)
    try:
        async_to_sync(get_channel_layer().group_send)(group_for(topic_key), message)
    except Exception as error:  # noqa: BLE001 - a broken layer must not break a write
        now = time.monotonic()
        if now - _last_failure_log > FAILURE_LOG_INTERVAL:
            _last_failure_log = now
            logger.warning("live: publish to %s failed (%s); tabs will catch up", topic_key, error)
        return False
    return True


def publish_many(items: list[tuple[str, str]] | list[tuple[str, str, dict]]) -> int:
    """Send several (topic, fragment) pairs in one event loop and one connection, rather
    than one loop per publish (a notification with many recipients). Never raises;
    returns how many were sent."""
    global _last_failure_log
    if not items:
        return 0
    layer = get_channel_layer()

    async def send_all() -> list:
        return await asyncio.gather(
            *(
                layer.group_send(group_for(item[0]), _message(item[1], _event_of(item), item[0]))
                for item in items
            ),
            return_exceptions=True,
        )

    try:
        results = async_to_sync(send_all)()
    except Exception as error:  # noqa: BLE001 - a broken layer must not break a write
        results = [error] * len(items)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed and time.monotonic() - _last_failure_log > FAILURE_LOG_INTERVAL:
        _last_failure_log = time.monotonic()
        logger.warning("live: %d publishes failed (%s); tabs will catch up", len(failed), failed[0])
    return len(items) - len(failed)


def _event_of(item: tuple) -> dict | None:
    return item[2] if len(item) > 2 else None


def publish_on_commit(topic_key: str, render: Callable[[], str]) -> None:
    """After the current transaction commits, render once and publish (nothing is sent if
    it rolls back)."""
    transaction.on_commit(lambda: publish(topic_key, render()))


def catch_up(request: HttpRequest, requested: list[str], since: Any) -> str:
    """Fragments for everything on the viewer's topics since `since` (a datetime)."""
    parts = []
    for topic_key in topics_authorize(request.user, requested):
        topic, key = _split(topic_key)
        if topic.catch_up is not None:
            parts.append(topic.catch_up(request, key, since))
    return "".join(parts)


def now_iso() -> str:
    return timezone.now().isoformat()


# --- Access: sockets follow what their viewer may see ----------------------------------
#
# Every socket of a signed-in viewer joins two control groups: its user's and its
# session's. Account services publish to them when access shrinks (suspended,
# deactivated, role changed, signed out everywhere, signed out in this session) and the
# consumer re-checks at once, closing the socket if access is gone. A topic whose object
# changed visibility (hidden, deleted, unpublished) gets `recheck` on its own group,
# before the event itself, so a subscriber who may no longer see it is dropped before the
# next fragment. See docs/decisions/ (live sockets follow access).


def access_user_group(user_id: int) -> str:
    return f"hub.access.user.{int(user_id)}"


def access_session_group(session_key: str) -> str:
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"hub.access.session.{digest}"


def _control_send(group: str, message: dict) -> bool:
    """Never raises: a control message lost to an outage is caught by the sockets'
    periodic check (hub.consumers.SESSION_CHECK_INTERVAL)."""
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception as error:  # noqa: BLE001 - a broken layer must not break a write
        logger.warning("live: control message to %s failed (%s)", group, error)
        return False
    return True


def access_changed(user_id: int) -> bool:
    """The user's access may have shrunk: each of their sockets re-checks it now."""
    return _control_send(access_user_group(user_id), {"type": "access.changed"})


def access_changed_on_commit(user_id: int) -> None:
    transaction.on_commit(lambda: access_changed(user_id), robust=True)


def session_ended(session_key: str) -> bool:
    """That session signed out: its sockets close now."""
    return _control_send(access_session_group(session_key), {"type": "access.ended"})


def recheck(topic_key: str) -> bool:
    """The object behind `topic_key` changed who may see it: each subscriber re-checks
    the topic before the next event (call it on commit, before publishing)."""
    try:
        group = group_for(topic_key)
    except ValueError:
        return False
    return _control_send(group, {"type": "live.recheck", "topic": topic_key})


def on_logged_out(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """user_logged_out: Django sends it before flushing the session, so the key is known."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key:
        session_ended(key)
