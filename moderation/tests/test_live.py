"""Moderation through the real consumer and channel layer: hidden words never go out to
every tab, mentors' topics refuse everyone else, and the thread's tabs hear of changes."""

import pytest
from asgiref.sync import sync_to_async

from discussions import services as forum_services
from discussions.tests.test_live import connected, drain
from hub.tests.test_live import session_cookie
from moderation import services
from moderation.models import FlagReason
from moderation.tests.world import build

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick_presence(monkeypatch):
    from hub import presence

    monkeypatch.setattr(presence, "COALESCE", 0.05)


async def test_hiding_sends_a_stale_hint_and_later_edits_stay_private():
    w = await sync_to_async(build)()
    ws = await connected(f"question:{w.question.pk}")
    await drain(ws)
    await sync_to_async(services.content_hide)(actor=w.mentor, target=w.answer, reason="Rude")
    hints = "".join(await drain(ws))
    assert 'id="live-stale"' in hints and "Rude" not in hints
    await sync_to_async(forum_services.answer_edit)(
        editor=w.author, answer=w.answer, body="Secret words only mentors should read"
    )
    await sync_to_async(forum_services.comment_create)(
        author=w.mentor, answer=w.answer, body="A mentor's remark under the hidden answer"
    )
    after = "".join(await drain(ws))
    assert "Secret words" not in after and "remark under the hidden" not in after
    assert 'id="live-stale"' in after
    await ws.disconnect()


async def test_a_lock_reaches_open_tabs_with_its_notice():
    w = await sync_to_async(build)()
    ws = await connected(f"question:{w.question.pk}")
    await drain(ws)
    await sync_to_async(services.question_lock)(
        actor=w.mentor, question=w.question, reason="Answered elsewhere"
    )
    sent = "".join(await drain(ws))
    assert 'id="question-notice" hx-swap-oob="true"' in sent and "Answered elsewhere" in sent
    await ws.disconnect()


async def test_a_hidden_question_topic_is_refused_to_learners(client):
    w = await sync_to_async(build)()
    await sync_to_async(services.content_hide)(actor=w.mentor, target=w.question, reason="Spam")
    learner = await sync_to_async(session_cookie)(client, w.learner)
    ws = await connected(f"question:{w.question.pk}", cookie=learner)
    assert await ws.receive_nothing(timeout=0.3)
    await ws.disconnect()
    mentor = await sync_to_async(session_cookie)(client, w.mentor)
    ws = await connected(f"question:{w.question.pk}", cookie=mentor)
    assert "viewing" in "".join(await drain(ws))
    await ws.disconnect()


async def test_mentor_topics_refuse_everyone_else(client):
    w = await sync_to_async(build)()
    learner = await sync_to_async(session_cookie)(client, w.learner)
    ws = await connected(f"moderation,notes:{w.question.pk}", cookie=learner)
    await sync_to_async(services.mentor_note_add)(
        author=w.mentor, question=w.question, body="Mentors only: I'll take it"
    )
    await sync_to_async(services.flag_create)(
        reporter=w.admin, target=w.answer, reason=FlagReason.SPAM
    )
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()


async def test_mentors_hear_notes_and_queue_changes(client):
    w = await sync_to_async(build)()
    mentor = await sync_to_async(session_cookie)(client, w.mentor)
    ws = await connected(f"moderation,notes:{w.question.pk}", cookie=mentor)
    await drain(ws)
    await sync_to_async(services.mentor_note_add)(
        author=w.admin, question=w.question, body="I'll take this one"
    )
    note = await ws.receive_from(timeout=3)
    assert f"beforeend:#mentor-note-list-{w.question.pk}" in note and "take this one" in note
    await sync_to_async(services.flag_create)(
        reporter=w.learner, target=w.answer, reason=FlagReason.SPAM
    )
    hint = await ws.receive_from(timeout=3)
    assert 'data-topic="moderation"' in hint
    await ws.disconnect()


def test_catch_up_tells_a_learner_the_question_is_gone(client):
    w = build()
    services.content_hide(actor=w.mentor, target=w.question, reason="Spam")
    client.force_login(w.learner)
    response = client.get("/live/catch-up", {"topics": f"question:{w.question.pk}"})
    # The topic is refused to them, so nothing of the question comes back.
    assert "Check the migration order" not in response.text


def test_catch_up_for_a_mentor_includes_hidden_answers_marked(client):
    w = build()
    services.content_hide(actor=w.mentor, target=w.answer, reason="Rude")
    client.force_login(w.mentor)
    response = client.get(
        "/live/catch-up",
        {"topics": f"question:{w.question.pk}", "since": "2020-01-01T00:00:00+00:00"},
    )
    assert "Check the migration order" in response.text and "Hidden from learners" in response.text
    client.force_login(w.learner)
    response = client.get(
        "/live/catch-up",
        {"topics": f"question:{w.question.pk}", "since": "2020-01-01T00:00:00+00:00"},
    )
    assert "Check the migration order" not in response.text
    assert 'id="answers"' in response.text
