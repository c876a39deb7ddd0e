"""Discussions' live events through the real consumer and channel layer."""

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction
from django.test import override_settings

from discussions import services
from discussions.tests import factories as make
from hub.tests.test_live import communicator, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick_presence(monkeypatch):
    """Presence counts are coalesced over a second in production; tests need not wait."""
    from hub import presence

    monkeypatch.setattr(presence, "COALESCE", 0.05)


class Rollback(Exception):
    pass


@pytest.fixture
def question(learner):
    return make.question(learner, title="Why is my queryset evaluated twice in a view?")


async def connected(topics: str, cookie: str = ""):
    ws = communicator(topics, cookie=cookie)
    ok, _ = await ws.connect()
    assert ok
    return ws


async def drain(ws) -> list[str]:
    """Everything already sent (presence counts on join), so a test sees only what follows."""
    messages = []
    while not await ws.receive_nothing(timeout=0.2):
        messages.append(await ws.receive_from())
    return messages


async def test_answer_arrives_after_commit_and_not_before(question, other_learner):
    ws = await connected(f"question:{question.pk}")
    await drain(ws)

    def answer_inside_a_transaction() -> bool:
        with transaction.atomic():
            services.answer_create(
                author=other_learner, question=question, body="Use `select_related`."
            )
            return async_to_sync(ws.receive_nothing)(0.3)  # still uncommitted

    assert await sync_to_async(answer_inside_a_transaction)()
    html = await ws.receive_from(timeout=3)
    assert "select_related" in html
    assert 'hx-swap-oob="beforeend:#answer-list"' in html
    assert "1 answer" in html and 'id="no-answers" hx-swap-oob="delete"' in html
    # Viewer-neutral: the controls are there, hidden, for the page to reveal.
    assert 'data-show-for="asker mentor"' in html and "csrfmiddlewaretoken" not in html
    await ws.disconnect()


async def test_nothing_after_a_rollback(question, other_learner):
    ws = await connected(f"question:{question.pk}")
    await drain(ws)

    def answer_then_roll_back() -> None:
        try:
            with transaction.atomic():
                services.answer_create(author=other_learner, question=question, body="Oops")
                raise Rollback
        except Rollback:
            pass

    await sync_to_async(answer_then_roll_back)()
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_votes_accepts_comments_edits_and_deletes_arrive(question, learner, other_learner):
    answer = await sync_to_async(make.answer)(other_learner, question)
    ws = await connected(f"question:{question.pk}")
    await drain(ws)

    await sync_to_async(services.vote_toggle)(user=learner, post=answer)
    assert f'id="score-answer-{answer.pk}" hx-swap-oob="true"' in await ws.receive_from(3)

    await sync_to_async(services.answer_accept)(actor=learner, answer=answer)
    assert 'id="live-stale"' in await ws.receive_from(3)

    await sync_to_async(make.comment)(learner, body="Thanks, that was it", answer=answer)
    html = await ws.receive_from(3)
    assert f"beforeend:#comments-list-answer-{answer.pk}" in html and "that was it" in html

    await sync_to_async(services.answer_edit)(editor=other_learner, answer=answer, body="Edited!")
    assert "Edited!" in await ws.receive_from(3)

    await sync_to_async(services.answer_delete)(actor=other_learner, answer=answer)
    assert f'id="answer-{answer.pk}" hx-swap-oob="delete"' in await ws.receive_from(3)
    await ws.disconnect()


async def test_hidden_or_deleted_question_topic_is_refused(question, learner, other_learner):
    await sync_to_async(services.question_delete)(actor=learner, question=question)
    ws = await connected(f"question:{question.pk}")
    assert await ws.receive_nothing(timeout=0.3)  # not even a viewer count: not joined
    await ws.disconnect()


async def test_presence_counts_people_not_tabs(client, question, learner, other_learner):
    topic = f"question:{question.pk}"
    ada = await sync_to_async(session_cookie)(client, learner)
    watcher = await connected(topic)
    assert "1 viewing" in (await drain(watcher))[-1]

    first_tab = await connected(topic, ada)
    second_tab = await connected(topic, ada)
    counts = await drain(watcher)
    assert "2 viewing" in counts[-1]  # the anonymous watcher and Ada, once

    await second_tab.disconnect()
    assert await watcher.receive_nothing(timeout=0.3)  # Ada still has a tab open
    await first_tab.disconnect()
    assert "1 viewing" in await watcher.receive_from(3)
    await watcher.disconnect()


async def test_typing_is_throttled_and_for_signed_in_viewers(
    client, question, learner, other_learner
):
    topic = f"question:{question.pk}"
    reader = await connected(topic)
    writer = await connected(topic, await sync_to_async(session_cookie)(client, other_learner))
    await drain(reader)

    for _ in range(3):
        await writer.send_json_to({"type": "typing", "topic": topic})
    messages = await drain(reader)
    typing = [m for m in messages if "is writing an answer" in m]
    assert len(typing) == 1 and "Omar Other is writing an answer" in typing[0]

    anonymous = await connected(topic)
    await anonymous.send_json_to({"type": "typing", "topic": topic})
    await anonymous.send_json_to({"type": "typing", "topic": "question:999999"})
    assert not [m for m in await drain(reader) if "writing" in m]
    for ws in (reader, writer, anonymous):
        await ws.disconnect()


async def test_an_idle_socket_still_receives(question, other_learner):
    """redis-py 8 + channels-redis 4.3 failed idle consumers after ~5 s (channels_redis#422);
    we pin redis-py 7. This idles longer than that and must still receive."""
    ws = await connected(f"question:{question.pk}")
    await drain(ws)
    await asyncio.sleep(6)
    await sync_to_async(make.answer)(other_learner, question, "After a long pause")
    assert "After a long pause" in await ws.receive_from(timeout=5)
    await ws.disconnect()


@override_settings(
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
)
def test_writes_succeed_when_the_layer_is_down(question, other_learner):
    answer = make.answer(other_learner, question, "Stored even without Redis")
    question.refresh_from_db()
    assert answer.pk and question.answer_count == 1


def test_catch_up_brings_a_tab_up_to_date(client, question, learner, other_learner):
    make.answer(other_learner, question, "Missed while offline")
    client.force_login(learner)
    response = client.get(
        "/live/catch-up",
        {"topics": f"question:{question.pk},user:me", "since": "2020-01-01T00:00:00+00:00"},
    )
    assert response.status_code == 200
    assert 'id="answers" aria-labelledby="answers-title" hx-swap-oob="true"' in response.text
    assert "Missed while offline" in response.text
    assert 'id="live-at"' in response.text
    # A forged topic adds nothing.
    other = make.question(other_learner, title="Another question that nobody may forge")
    services.question_delete(actor=other_learner, question=other)
    forged = client.get("/live/catch-up", {"topics": f"question:{other.pk}"})
    assert "answers" not in forged.text


def test_feed_catch_up_lists_new_questions(client, question):
    response = client.get(
        "/live/catch-up", {"topics": "feed", "since": "2020-01-01T00:00:00+00:00"}
    )
    assert "beforeend:#incoming-questions" in response.text and question.title in response.text


@pytest.mark.cached
def test_catch_up_sends_a_thread_only_when_it_changed_near_or_after_the_tabs_time(
    client, question, learner, other_learner
):
    from datetime import timedelta

    from django.utils import timezone

    from hub import cache

    make.answer(other_learner, question, "Posted before the page")
    client.force_login(learner)

    def catch_up(since) -> str:
        topics = {"topics": f"question:{question.pk}", "since": since.isoformat()}
        return client.get("/live/catch-up", topics).text

    now = timezone.now()
    # The tab's time is well after the thread's last change: it has it all.
    assert "Posted before the page" not in catch_up(now + timedelta(seconds=10))
    # Within the margin (the page may have read the thread before its time was taken).
    assert "Posted before the page" in catch_up(now)
    make.answer(other_learner, question, "Posted since")
    assert "Posted since" in catch_up(now + timedelta(seconds=3))
    # When the thread's last change is unknown (expired, evicted), it is sent, and known
    # from then on.
    cache._backend().delete(f"t:question:{question.pk}")
    assert "Posted since" in catch_up(timezone.now() + timedelta(seconds=10))
    assert "Posted since" not in catch_up(timezone.now() + timedelta(seconds=10))
