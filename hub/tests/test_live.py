"""The /ws/live/ handshake: the session authenticates, a foreign origin is refused."""

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from hub.asgi import application
from hub.consumers import user_group


def communicator(origin: bytes = b"http://testserver", cookie: str = "") -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, "/ws/live/", headers=headers)


@pytest.mark.django_db(transaction=True)
async def test_foreign_origin_is_refused():
    ws = communicator(origin=b"https://evil.example")
    connected, _ = await ws.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_missing_origin_is_refused():
    ws = WebsocketCommunicator(application, "/ws/live/", headers=[(b"host", b"testserver")])
    connected, _ = await ws.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_anonymous_same_origin_connects():
    ws = communicator()
    connected, _ = await ws.connect()
    assert connected
    await ws.disconnect()


@pytest.mark.django_db(transaction=True)
def test_signed_in_tab_receives_its_own_events(client, learner):
    from asgiref.sync import async_to_sync

    client.force_login(learner)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def scenario() -> str:
        ws = communicator(cookie=cookie)
        connected, _ = await ws.connect()
        assert connected
        await get_channel_layer().group_send(
            user_group(learner.pk), {"type": "live.event", "html": '<div id="x">hi</div>'}
        )
        received = await ws.receive_from(timeout=3)
        await ws.disconnect()
        return received

    assert async_to_sync(scenario)() == '<div id="x">hi</div>'
