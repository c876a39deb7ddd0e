"""GraphQL subscriptions over /ws/graphql/ (graphql-transport-ws) on the real channel
layer (Redis when REDIS_URL is set): events published by the services arrive, hidden
content does not, topics are authorised with the live page's own checks."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from discussions import services
from discussions.tests import factories as forum
from hub import live
from hub.asgi import application
from hub.tests.gql import gid
from moderation import services as moderation

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER_ADDED = (
    "subscription($id: ID!) { answerAdded(questionId: $id) { id body author { handle } } }"
)
QUESTION_UPDATED = (
    "subscription($id: ID!) { questionUpdated(questionId: $id) { id title isAnswered } }"
)
NOTIFICATIONS = "subscription { notificationReceived { id kind actor { handle } } }"


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }


def _cookie(client, user) -> str:
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _socket(cookie: str = "") -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    ws = WebsocketCommunicator(
        application, "/ws/graphql/", headers=headers, subprotocols=["graphql-transport-ws"]
    )
    connected, _ = await ws.connect()
    assert connected
    await ws.send_json_to({"type": "connection_init"})
    assert (await ws.receive_json_from(timeout=5))["type"] == "connection_ack"
    return ws


async def _subscribe(ws, query: str, variables: dict | None = None) -> None:
    await ws.send_json_to(
        {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
    )


async def _subscribed(ws) -> None:
    """Wait until the server listens (a ping round trip after the subscribe message)."""
    await ws.send_json_to({"type": "ping"})
    while (await ws.receive_json_from(timeout=5))["type"] != "pong":
        pass


async def test_answer_posted_through_the_service_arrives(client, learner, other_learner):
    q = await sync_to_async(forum.question)(learner)
    ws = await _socket(await sync_to_async(_cookie)(client, learner))
    await _subscribe(ws, ANSWER_ADDED, {"id": gid("Question", q.pk)})
    await _subscribed(ws)
    answer = await sync_to_async(services.answer_create)(
        author=other_learner, question=q, body="Try `squashmigrations`."
    )
    message = await ws.receive_json_from(timeout=5)
    assert message["type"] == "next", message
    assert message["payload"]["data"]["answerAdded"] == {
        "id": gid("Answer", answer.pk),
        "body": "Try `squashmigrations`.",
        "author": {"handle": other_learner.handle},
    }
    await ws.disconnect()


async def test_hidden_answer_is_not_pushed(client, learner, other_learner, mentor):
    q = await sync_to_async(forum.question)(learner)
    spam = await sync_to_async(forum.answer)(other_learner, q, "Buy my course")
    await sync_to_async(moderation.content_hide)(actor=mentor, target=spam, reason="Spam")
    ws = await _socket(await sync_to_async(_cookie)(client, learner))
    await _subscribe(ws, ANSWER_ADDED, {"id": gid("Question", q.pk)})
    await _subscribed(ws)
    # The event of an answer hidden by the time it is read (flags can hide at once): only
    # its id travels, and it is loaded again with the subscriber's visibility.
    await sync_to_async(live.publish)(
        f"question:{q.pk}", "<div></div>", {"name": "answer.created", "id": spam.pk}
    )
    visible = await sync_to_async(forum.answer)(mentor, q, "Read the docs.")
    message = await ws.receive_json_from(timeout=5)
    assert message["payload"]["data"]["answerAdded"]["id"] == gid("Answer", visible.pk)
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_hidden_question_cannot_be_subscribed(client, learner, other_learner, mentor):
    q = await sync_to_async(forum.question)(learner)
    await sync_to_async(moderation.content_hide)(actor=mentor, target=q, reason="Spam")
    ws = await _socket(await sync_to_async(_cookie)(client, other_learner))
    await _subscribe(ws, ANSWER_ADDED, {"id": gid("Question", q.pk)})
    message = await ws.receive_json_from(timeout=5)
    assert (
        message["type"] == "error" or "errors" in message.get("payload", {}) or message["payload"]
    )
    assert "not yours to see" in json.dumps(message)
    await ws.disconnect()


async def test_question_updated(client, learner, other_learner):
    q = await sync_to_async(forum.question)(learner)
    a = await sync_to_async(forum.answer)(other_learner, q)
    ws = await _socket(await sync_to_async(_cookie)(client, learner))
    await _subscribe(ws, QUESTION_UPDATED, {"id": gid("Question", q.pk)})
    await _subscribed(ws)
    await sync_to_async(services.answer_accept)(actor=learner, answer=a)
    message = await ws.receive_json_from(timeout=5)
    assert message["payload"]["data"]["questionUpdated"]["isAnswered"] is True
    await ws.disconnect()


async def test_own_notifications_only(client, learner, other_learner):
    q = await sync_to_async(forum.question)(learner)
    theirs = await _socket(await sync_to_async(_cookie)(client, other_learner))
    mine = await _socket(await sync_to_async(_cookie)(client, learner))
    for ws in (theirs, mine):
        await _subscribe(ws, NOTIFICATIONS)
        await _subscribed(ws)
    await sync_to_async(forum.answer)(other_learner, q)  # notifies the asker only
    message = await mine.receive_json_from(timeout=5)
    assert message["payload"]["data"]["notificationReceived"]["actor"]["handle"] == (
        other_learner.handle
    )
    assert await theirs.receive_nothing(timeout=0.5)
    for ws in (theirs, mine):
        await ws.disconnect()


async def test_anonymous_cannot_subscribe_to_notifications():
    ws = await _socket()
    await _subscribe(ws, NOTIFICATIONS)
    message = await ws.receive_json_from(timeout=5)
    assert "not yours to see" in json.dumps(message)
    await ws.disconnect()
