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


DEAD_LAYER = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens on port 1
    }
}


@pytest.fixture
def dead_layer():
    from channels.layers import channel_layers

    from hub import consumers

    consumers._outage.update(logged_at=float("-inf"), refused=0)
    with override_settings(CHANNEL_LAYERS=DEAD_LAYER):
        channel_layers.backends.clear()
        yield
    channel_layers.backends.clear()


async def test_with_redis_down_the_handshake_is_refused_cleanly_and_logged_once(dead_layer, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(3):
        connected, _ = await communicator("feed").connect(timeout=5)
        assert not connected  # a refusal (403 to the browser), not an exception

    lines = [r for r in caplog.records if r.name == "hub.consumers"]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].levelno == logging.WARNING
    assert lines[0].exc_info is None  # no traceback


async def test_with_redis_down_a_socket_without_topics_closes_with_try_again_later(
    dead_layer,
):
    ws = communicator("")
    connected, _ = await ws.connect(timeout=5)
    assert connected  # nothing to join; the layer's receive loop then fails
    closed = await ws.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 1013}
