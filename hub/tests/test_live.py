"""The /ws/live/ handshake and topic authorisation (channels' WebsocketCommunicator, the
real channel layer: Redis in CI, in-memory otherwise)."""

import logging

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings

from accounts.events import user_group
from hub import live
from hub.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(client, user) -> str:
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def communicator(
    topics: str = "", *, origin: bytes = b"http://testserver", cookie: str = ""
) -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    path = f"/ws/live/?topics={topics}" if topics else "/ws/live/"
    return WebsocketCommunicator(application, path, headers=headers)


async def test_foreign_origin_is_refused():
    connected, _ = await communicator(origin=b"https://evil.example").connect()
    assert not connected


async def test_missing_origin_is_refused():
    ws = WebsocketCommunicator(application, "/ws/live/", headers=[(b"host", b"testserver")])
    connected, _ = await ws.connect()
    assert not connected


async def test_anonymous_same_origin_connects():
    ws = communicator("feed")
    connected, _ = await ws.connect()
    assert connected
    await ws.disconnect()


async def test_own_user_topic_receives(client, learner):
    from asgiref.sync import sync_to_async

    cookie = await sync_to_async(session_cookie)(client, learner)
    ws = communicator("user:me", cookie=cookie)
    assert (await ws.connect())[0]
    await get_channel_layer().group_send(
        user_group(str(learner.pk)), {"type": "live.event", "html": '<div id="x">hi</div>'}
    )
    assert await ws.receive_from(timeout=3) == '<div id="x">hi</div>'
    await ws.disconnect()


async def test_someone_elses_user_topic_is_refused(client, learner, other_learner):
    from asgiref.sync import sync_to_async

    cookie = await sync_to_async(session_cookie)(client, learner)
    ws = communicator(f"user:{other_learner.pk},user:me", cookie=cookie)
    assert (await ws.connect())[0]
    await get_channel_layer().group_send(
        user_group(str(other_learner.pk)), {"type": "live.event", "html": "secret"}
    )
    assert await ws.receive_nothing(timeout=0.3)
    await ws.disconnect()


async def test_anonymous_gets_no_user_topic(learner):
    ws = communicator(f"user:me,user:{learner.pk}")
    assert (await ws.connect())[0]
    await get_channel_layer().group_send(
        user_group(str(learner.pk)), {"type": "live.event", "html": "secret"}
    )
    assert await ws.receive_nothing(timeout=0.3)
    await ws.disconnect()


def test_topics_are_parsed_bounded_and_deduplicated():
    raw = ",".join(["feed", "feed", " question:1 ", *[f"question:{n}" for n in range(2, 20)]])
    topics = live.topics_parse(raw)
    assert topics[:2] == ["feed", "question:1"] and len(topics) == live.MAX_TOPICS


def test_unknown_and_malformed_topics_are_dropped(learner):
    allowed = live.topics_authorize(learner, ["nope:1", "question:abc", "user:me", "feed:x"])
    assert allowed == {f"user:{learner.pk}": f"accounts.user.{learner.pk}"}


@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
)
def test_publish_to_a_dead_layer_logs_and_returns(caplog):
    live._last_failure_log = 0.0
    with caplog.at_level(logging.WARNING, logger="hub.live"):
        assert live.publish("feed", "<p>x</p>") is False
        assert live.publish("feed", "<p>y</p>") is False
    assert len([r for r in caplog.records if "publish to feed failed" in r.message]) == 1
