"""Each HTML door shows the refusal it got, in words that fit (hub.doors): an over-long
reason says it is too long (not "Give a reason"), a locked thread's comment form says the
thread is locked (not "Your account cannot post.")."""

import pytest
from django.test import Client
from django.utils import timezone

from moderation import services
from moderation.models import REASON_MAX, LogEntry
from moderation.tests.world import build, suspend
from projects.models import State

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * (REASON_MAX + 1)


@pytest.fixture
def world():
    return build()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def too_long_said(response) -> bool:
    said = " ".join(messages_of(response))
    return f"at most {REASON_MAX} characters" in said and "Give a reason" not in said


class TestAnOverLongReasonSaysItIsTooLong:
    def test_hiding_a_post(self, world):
        response = signed_in(world.mentor).post(
            f"/mod/hide/answer/{world.answer.pk}", {"reason": TOO_LONG}, follow=True
        )
        assert too_long_said(response)
        assert world.fresh(world.answer).hidden_at is None

    def test_hiding_a_project(self, world):
        response = signed_in(world.mentor).post(
            f"/mod/hide/project/{world.project.pk}", {"reason": TOO_LONG}, follow=True
        )
        assert too_long_said(response)
        assert world.fresh(world.project).state == State.PUBLISHED

    def test_unhiding(self, world):
        services.content_hide(actor=world.mentor, target=world.comment, reason="Off topic")
        response = signed_in(world.mentor).post(
            f"/mod/unhide/comment/{world.comment.pk}", {"reason": TOO_LONG}, follow=True
        )
        assert too_long_said(response)
        assert world.fresh(world.comment).hidden_at is not None

    def test_locking(self, world):
        response = signed_in(world.mentor).post(
            f"/mod/q/{world.question.pk}/lock", {"reason": TOO_LONG}, follow=True
        )
        assert too_long_said(response)
        assert world.fresh(world.question).locked_at is None

    def test_moving(self, world):
        response = signed_in(world.mentor).post(
            f"/mod/q/{world.question.pk}/move",
            {"category": world.other_category.pk, "reason": TOO_LONG},
            follow=True,
        )
        assert too_long_said(response)
        assert "Choose the topic" not in " ".join(messages_of(response))
        assert world.fresh(world.question).category_id == world.category.pk

    def test_lifting_a_suspension(self, world):
        victim = suspend(world.victim)
        response = signed_in(world.mentor).post(
            f"/mod/u/{victim.handle}/lift", {"reason": TOO_LONG}, follow=True
        )
        assert too_long_said(response)
        assert world.fresh(victim).is_suspended
        assert not LogEntry.objects.filter(target_id=victim.pk).exists()


def test_a_locked_questions_comment_form_says_it_is_locked(world):
    services.question_lock(actor=world.mentor, question=world.question, reason="Resolved in chat")
    response = signed_in(world.learner).get(
        f"/question/{world.question.pk}/comment", HTTP_REFERER="http://testserver/", follow=True
    )
    said = " ".join(messages_of(response))
    assert "This question is locked: Resolved in chat" in said
    assert "Your account cannot post." not in said


def test_a_suspended_person_is_still_told_about_their_account_first(world):
    response = signed_in(world.suspended).get(
        f"/question/{world.question.pk}/comment", HTTP_REFERER="http://testserver/", follow=True
    )
    assert "Your account is suspended until" in " ".join(messages_of(response))
    assert timezone.now() < world.suspended.suspended_until
