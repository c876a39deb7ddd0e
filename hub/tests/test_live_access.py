"""Live sockets follow access (hub.consumers, hub.live): revocation, topics that become
invisible, and inbound limits, through WebsocketCommunicator on the real channel layer
(Redis when REDIS_URL is set, as in CI)."""

import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from accounts.events import user_group
from accounts.models import Role
from discussions.events import question_topic
from discussions.tests import factories as forum
from hub import consumers, live
from hub.tests.test_live import communicator
from moderation import services as moderation_services
from projects import services as project_services
from projects.events import project_topic
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db(transaction=True)

CLOSE_WITHIN = 5  # seconds: the bound, generous for a loaded machine


def _login(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    from django.conf import settings

    name = settings.SESSION_COOKIE_NAME
    return client, f"{name}={client.cookies[name].value}"


async def _connect(user, topics: str):
    client, cookie = await sync_to_async(_login)(user)
    ws = communicator(topics, cookie=cookie)
    connected, _ = await ws.connect(timeout=5)
    assert connected
    return client, ws


async def _drain(ws) -> None:
    """What arrived so far (presence notices on joining a question, for one)."""
    while not await ws.receive_nothing(timeout=0.5):
        await ws.receive_output()


async def _closed_with(ws, code: int) -> None:
    start = time.monotonic()
    output = await ws.receive_output(timeout=CLOSE_WITHIN)
    assert output["type"] == "websocket.close", output
    assert output.get("code") == code
    assert time.monotonic() - start < CLOSE_WITHIN


async def _nothing_after(group: str, ws) -> None:
    await get_channel_layer().group_send(group, {"type": "live.event", "html": "after"})
    assert await ws.receive_nothing(timeout=0.5)


async def _still_live(ws, group: str) -> None:
    await get_channel_layer().group_send(group, {"type": "live.event", "html": "live"})
    assert await ws.receive_from(timeout=3) == "live"


# --- The account changes -------------------------------------------------------------


async def test_a_suspended_users_socket_closes_and_gets_nothing_after(learner, mentor):
    _, ws = await _connect(learner, "user:me")
    await _still_live(ws, user_group(str(learner.pk)))
    await sync_to_async(moderation_services.user_suspend)(
        actor=mentor, user=learner, until=timezone.now() + timedelta(days=1), reason="Spam"
    )
    await _closed_with(ws, consumers.CLOSE_ACCESS_GONE)
    await _nothing_after(user_group(str(learner.pk)), ws)


async def test_a_suspended_user_cannot_open_a_new_socket(learner, mentor):
    await sync_to_async(moderation_services.user_suspend)(
        actor=mentor, user=learner, until=timezone.now() + timedelta(days=1), reason="Spam"
    )
    _, cookie = await sync_to_async(_login)(learner)
    connected, code = await communicator("user:me", cookie=cookie).connect(timeout=5)
    assert not connected and code == consumers.CLOSE_ACCESS_GONE


async def test_a_deactivated_users_socket_closes(learner):
    _, ws = await _connect(learner, "user:me")

    def deactivate():
        type(learner).objects.filter(pk=learner.pk).update(is_active=False)
        live.access_changed(learner.pk)  # what the admin's save does on commit

    await sync_to_async(deactivate)()
    await _closed_with(ws, consumers.CLOSE_ACCESS_GONE)
    await _nothing_after(user_group(str(learner.pk)), ws)


async def test_a_demoted_mentor_leaves_the_mentor_only_queue(mentor, admin_user):
    _, ws = await _connect(mentor, "moderation,feed")
    await _still_live(ws, "moderation.queue")
    await sync_to_async(account_services.user_role_set)(
        actor=admin_user, user=mentor, role=Role.LEARNER
    )
    await _closed_with(ws, consumers.CLOSE_ACCESS_GONE)
    await _nothing_after("moderation.queue", ws)


async def test_a_promotion_keeps_the_socket(learner, admin_user):
    _, ws = await _connect(learner, "user:me")
    await sync_to_async(account_services.user_role_set)(
        actor=admin_user, user=learner, role=Role.MENTOR
    )
    await _still_live(ws, user_group(str(learner.pk)))
    await ws.disconnect()


async def test_sign_out_everywhere_closes_every_socket_of_the_account(learner, other_learner):
    _, first = await _connect(learner, "user:me")
    _, second = await _connect(learner, "feed")  # another browser
    _, bystander = await _connect(other_learner, "user:me")
    await sync_to_async(account_services.user_sign_out_everywhere)(actor=learner, user=learner)
    await _closed_with(first, consumers.CLOSE_ACCESS_GONE)
    await _closed_with(second, consumers.CLOSE_ACCESS_GONE)
    await _still_live(bystander, user_group(str(other_learner.pk)))
    await bystander.disconnect()


async def test_signing_out_closes_that_sessions_sockets_only(learner):
    client, ws = await _connect(learner, "user:me")
    _, other_browser = await _connect(learner, "user:me")
    await sync_to_async(client.post)("/accounts/logout/")
    await _closed_with(ws, consumers.CLOSE_ACCESS_GONE)
    await _still_live(other_browser, user_group(str(learner.pk)))
    await other_browser.disconnect()


async def test_a_session_that_expires_closes_its_socket(learner):
    client, cookie = await sync_to_async(_login)(learner)

    def expire_soon():
        session = client.session
        session.set_expiry(2)
        session.save()

    await sync_to_async(expire_soon)()
    ws = communicator("user:me", cookie=cookie)
    assert (await ws.connect(timeout=5))[0]
    await _closed_with(ws, consumers.CLOSE_ACCESS_GONE)


async def test_the_periodic_check_catches_a_session_deleted_without_a_message(learner, monkeypatch):
    monkeypatch.setattr(consumers, "SESSION_CHECK_INTERVAL", 0.5)
    _, ws = await _connect(learner, "user:me")
    await sync_to_async(Session.objects.all().delete)()  # e.g. clearsessions, an operator
    await _closed_with(ws, consumers.CLOSE_ACCESS_GONE)


# --- Topics that become invisible ----------------------------------------------------


async def test_a_hidden_question_stops_pushing_to_learners_not_to_mentors(
    learner, other_learner, mentor
):
    question = await sync_to_async(forum.question)(other_learner)
    topic = question_topic(question.pk)
    group = live.group_for(topic)
    _, reader = await _connect(learner, topic)
    _, moderator = await _connect(mentor, topic)
    await sync_to_async(moderation_services.content_hide)(
        actor=mentor, target=question, reason="Off topic"
    )
    # Whatever the hide itself sent, drain it; then nothing more reaches the learner.
    await _drain(reader)
    await _drain(moderator)
    await get_channel_layer().group_send(group, {"type": "live.event", "html": "after"})
    assert await moderator.receive_from(timeout=3) == "after"
    assert await reader.receive_nothing(timeout=0.5)
    await reader.disconnect()
    await moderator.disconnect()


async def test_a_deleted_question_gets_no_event_to_its_readers(learner, other_learner):
    question = await sync_to_async(forum.question)(other_learner)
    topic = question_topic(question.pk)
    _, reader = await _connect(learner, topic)
    await _drain(reader)
    await sync_to_async(forum.services.question_delete)(actor=other_learner, question=question)
    # The deletion's own fragment is not sent to a reader who may no longer see it.
    assert await reader.receive_nothing(timeout=1)
    await _nothing_after(live.group_for(topic), reader)
    await reader.disconnect()


async def test_an_unpublished_project_stops_pushing_to_others_not_its_author(
    learner, other_learner
):
    project = await sync_to_async(showcase.project)(other_learner)
    topic = project_topic(project.pk)
    group = live.group_for(topic)
    _, visitor = await _connect(learner, topic)
    _, author = await _connect(other_learner, topic)
    await _drain(visitor)
    await sync_to_async(project_services.project_unpublish)(actor=other_learner, project=project)
    assert await visitor.receive_nothing(timeout=1)
    await _drain(author)
    await get_channel_layer().group_send(group, {"type": "live.event", "html": "after"})
    assert await author.receive_from(timeout=3) == "after"
    assert await visitor.receive_nothing(timeout=0.5)
    await visitor.disconnect()
    await author.disconnect()


# --- Inbound limits --------------------------------------------------------------------


async def test_an_oversized_frame_closes_the_socket_cleanly():
    ws = communicator("feed")
    assert (await ws.connect())[0]
    await ws.send_to(text_data='{"type": "ping", "pad": "' + "x" * consumers.MAX_FRAME_BYTES + '"}')
    await _closed_with(ws, 1009)


async def test_a_flood_is_cut_off_and_its_cost_is_bounded(monkeypatch, capsys):
    handled = []
    original = consumers.LiveConsumer.receive_json

    async def counting(self, content, **kwargs):
        handled.append(1)
        await original(self, content, **kwargs)

    monkeypatch.setattr(consumers.LiveConsumer, "receive_json", counting)
    ws = communicator("feed")
    assert (await ws.connect())[0]
    flood = 5000
    cpu_before, wall_before = time.process_time(), time.monotonic()
    for _ in range(flood):
        await ws.send_to(text_data='{"type": "ping"}')
    await _closed_with(ws, 1008)
    cpu = time.process_time() - cpu_before
    wall = time.monotonic() - wall_before
    # The work the server did is bounded by the bucket, not by the flood.
    assert len(handled) <= consumers.RATE_BURST + 1
    with capsys.disabled():
        print(
            f"\nflood: {flood} frames sent, {len(handled)} handled before the close; "
            f"process CPU {cpu * 1000:.0f} ms, wall {wall * 1000:.0f} ms"
        )


async def test_a_normal_pace_is_not_limited():
    ws = communicator("feed")
    assert (await ws.connect())[0]
    for _ in range(consumers.RATE_BURST):
        await ws.send_to(text_data='{"type": "ping"}')
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()
