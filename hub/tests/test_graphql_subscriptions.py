"""GraphQL subscriptions over /ws/graphql/ (graphql-transport-ws) on the real channel
layer (Redis when REDIS_URL is set): events published by the services arrive, hidden
content does not, topics are authorised with the live page's own checks."""

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Role
from discussions import services
from discussions.tests import factories as forum
from hub import consumers, live
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


async def test_pushed_fields_that_query_run_in_the_database_thread(client, learner, other_learner):
    """A push resolves in the socket's event loop: fields that load rows (the answers and
    the accepted answer among them, their comments) run in Channels' database thread
    (SyncResolversInThreads, which only the socket's executions carry; before it looked
    the field up where graphql-core's `info` has none, such pushes failed, masked)."""
    q = await sync_to_async(forum.question)(learner)
    a = await sync_to_async(forum.answer)(other_learner, q)
    await sync_to_async(services.comment_create)(author=learner, answer=a, body="Thanks!")
    query = (
        "subscription($id: ID!) { questionUpdated(questionId: $id) { isAnswered "
        "acceptedAnswer { id } answers { id comments { body } } } }"
    )
    ws = await _socket(await sync_to_async(_cookie)(client, learner))
    await _subscribe(ws, query, {"id": gid("Question", q.pk)})
    await _subscribed(ws)
    await sync_to_async(services.answer_accept)(actor=learner, answer=a)
    message = await ws.receive_json_from(timeout=5)
    assert "errors" not in message["payload"], message
    assert message["payload"]["data"]["questionUpdated"] == {
        "isAnswered": True,
        "acceptedAnswer": {"id": gid("Answer", a.pk)},
        "answers": [{"id": gid("Answer", a.pk), "comments": [{"body": "Thanks!"}]}],
    }
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


# --- Subscriptions end when access ends (hub.consumers.FollowsAccess, decision 0012) ------

CLOSE_WITHIN = 5  # seconds, generous for a loaded machine


async def _closed_4403(ws) -> None:
    while True:
        output = await ws.receive_output(timeout=CLOSE_WITHIN)
        if output["type"] == "websocket.close":
            assert output.get("code") == consumers.CLOSE_ACCESS_GONE, output
            return
        # anything pushed before the close must not be a push after it: no `next` here
        assert json.loads(output.get("text", "{}")).get("type") != "next", output


async def _completed(ws, op_id: str = "1") -> None:
    message = await ws.receive_json_from(timeout=CLOSE_WITHIN)
    assert message == {"type": "complete", "id": op_id}, message


async def _subscribed_as(client, user, query, variables=None, op_id="1", ws=None):
    if ws is None:
        ws = await _socket(await sync_to_async(_cookie)(client, user))
    await ws.send_json_to(
        {
            "id": op_id,
            "type": "subscribe",
            "payload": {"query": query, "variables": variables or {}},
        }
    )
    await _subscribed(ws)
    return ws


async def test_a_suspended_viewers_subscriptions_end(client, learner, other_learner, mentor):
    q = await sync_to_async(forum.question)(learner)
    ws = await _subscribed_as(client, learner, NOTIFICATIONS)
    await sync_to_async(moderation.user_suspend)(
        actor=mentor, user=learner, until=timezone.now() + timedelta(days=1), reason="Spam"
    )
    await _closed_4403(ws)
    await sync_to_async(forum.answer)(other_learner, q)  # would notify the asker
    assert await ws.receive_nothing(timeout=0.5)


async def test_a_suspended_viewer_cannot_open_the_socket(client, learner, mentor):
    await sync_to_async(moderation.user_suspend)(
        actor=mentor, user=learner, until=timezone.now() + timedelta(days=1), reason="Spam"
    )
    cookie = await sync_to_async(_cookie)(client, learner)
    ws = WebsocketCommunicator(
        application,
        "/ws/graphql/",
        headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"),
                 (b"cookie", cookie.encode())],
        subprotocols=["graphql-transport-ws"],
    )  # fmt: skip
    connected, code = await ws.connect(timeout=5)
    assert not connected and code == consumers.CLOSE_ACCESS_GONE


async def test_a_deactivated_viewers_subscriptions_end(client, learner):
    ws = await _subscribed_as(client, learner, NOTIFICATIONS)

    def deactivate():
        type(learner).objects.filter(pk=learner.pk).update(is_active=False)
        live.access_changed(learner.pk)  # what the admin's save does on commit

    await sync_to_async(deactivate)()
    await _closed_4403(ws)


async def test_a_demoted_mentor_loses_a_hidden_questions_subscription(
    client, learner, mentor, admin_user
):
    q = await sync_to_async(forum.question)(learner)
    await sync_to_async(moderation.content_hide)(actor=mentor, target=q, reason="Spam")
    ws = await _subscribed_as(client, mentor, ANSWER_ADDED, {"id": gid("Question", q.pk)})
    await sync_to_async(account_services.user_role_set)(
        actor=admin_user, user=mentor, role=Role.LEARNER
    )
    await _closed_4403(ws)


async def test_a_demoted_mentor_no_longer_gets_hidden_answers(
    client, learner, other_learner, mentor, admin_user
):
    """The topic (a public question) stays allowed, so the socket stays open; but the
    next push is loaded with the account as it is now, a learner's."""
    q = await sync_to_async(forum.question)(learner)
    ws = await _subscribed_as(client, mentor, ANSWER_ADDED, {"id": gid("Question", q.pk)})
    await sync_to_async(account_services.user_role_set)(
        actor=admin_user, user=mentor, role=Role.LEARNER
    )
    await _subscribed(ws)  # the role change was handled before this round trip
    spam = await sync_to_async(forum.answer)(other_learner, q, "Buy my course")
    await ws.receive_json_from(timeout=5)  # visible when posted
    await sync_to_async(moderation.content_hide)(actor=admin_user, target=spam, reason="Spam")
    await sync_to_async(live.publish)(
        f"question:{q.pk}", "<div></div>", {"name": "answer.created", "id": spam.pk}
    )
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_sign_out_everywhere_ends_every_socket_of_the_account(client, learner, other_learner):
    first = await _subscribed_as(client, learner, NOTIFICATIONS)
    second = await _subscribed_as(Client(), learner, NOTIFICATIONS)
    bystander = await _subscribed_as(Client(), other_learner, NOTIFICATIONS)
    await sync_to_async(account_services.user_sign_out_everywhere)(actor=learner, user=learner)
    await _closed_4403(first)
    await _closed_4403(second)
    q = await sync_to_async(forum.question)(other_learner)
    await sync_to_async(forum.answer)(learner, q)
    message = await bystander.receive_json_from(timeout=5)
    assert message["type"] == "next"
    await bystander.disconnect()


async def test_signing_out_ends_that_sessions_socket_only(client, learner, other_learner):
    ws = await _subscribed_as(client, learner, NOTIFICATIONS)
    other_browser = await _subscribed_as(Client(), learner, NOTIFICATIONS)
    await sync_to_async(client.post)("/accounts/logout/")
    await _closed_4403(ws)
    q = await sync_to_async(forum.question)(learner)
    await sync_to_async(forum.answer)(other_learner, q)
    assert (await other_browser.receive_json_from(timeout=5))["type"] == "next"
    await other_browser.disconnect()


async def test_the_periodic_check_ends_a_socket_whose_session_is_gone(client, learner, monkeypatch):
    monkeypatch.setattr(consumers, "SESSION_CHECK_INTERVAL", 0.5)
    ws = await _subscribed_as(client, learner, NOTIFICATIONS)
    await sync_to_async(Session.objects.all().delete)()  # clearsessions, an operator
    await _closed_4403(ws)


async def test_a_hidden_question_ends_readers_subscriptions_not_its_authors(
    client, learner, other_learner, mentor
):
    q = await sync_to_async(forum.question)(learner)
    answer = await sync_to_async(forum.answer)(mentor, q, "Read the docs first.")
    variables = {"id": gid("Question", q.pk)}
    reader = await _subscribed_as(client, other_learner, ANSWER_ADDED, variables)
    author = await _subscribed_as(Client(), learner, ANSWER_ADDED, variables)
    await sync_to_async(moderation.content_hide)(actor=mentor, target=q, reason="Off topic")
    await _completed(reader)
    # A hidden thread takes no answers; an event on it still reaches those who see it.
    await sync_to_async(live.publish)(
        f"question:{q.pk}", "<div></div>", {"name": "answer.created", "id": answer.pk}
    )
    message = await author.receive_json_from(timeout=5)
    assert message["payload"]["data"]["answerAdded"]["id"] == gid("Answer", answer.pk)
    assert await reader.receive_nothing(timeout=0.5)
    for ws in (reader, author):
        await ws.disconnect()


async def test_a_deleted_question_ends_its_subscriptions(client, learner, other_learner):
    q = await sync_to_async(forum.question)(learner)
    reader = await _subscribed_as(
        client, other_learner, QUESTION_UPDATED, {"id": gid("Question", q.pk)}
    )
    await sync_to_async(services.question_delete)(actor=learner, question=q)
    await _completed(reader)
    await reader.disconnect()


async def test_two_subscriptions_on_one_socket_get_their_own_topic_only(
    client, learner, other_learner
):
    q1 = await sync_to_async(forum.question)(learner)
    q2 = await sync_to_async(forum.question)(learner)
    ws = await _subscribed_as(client, learner, ANSWER_ADDED, {"id": gid("Question", q1.pk)})
    await _subscribed_as(
        client, learner, ANSWER_ADDED, {"id": gid("Question", q2.pk)}, op_id="2", ws=ws
    )
    answer = await sync_to_async(forum.answer)(other_learner, q2)
    message = await ws.receive_json_from(timeout=5)
    assert message["id"] == "2"
    assert message["payload"]["data"]["answerAdded"]["id"] == gid("Answer", answer.pk)
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()
