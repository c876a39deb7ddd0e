import pytest

from discussions import selectors, services
from discussions.tests import factories as make

pytestmark = pytest.mark.django_db


def test_unanswered_where_watching_feeds_the_digest(learner, other_learner, mentor):
    from django.core import mail

    from notifications import emails
    from notifications.models import Kind, Notification
    from notifications.services import notify

    django_cat = make.category()
    services.watch_set(user=mentor, watching=True, category=django_cat)
    waiting = make.question(learner, title="Waiting for an answer in the Django topic")
    answered = make.question(other_learner, title="Already answered in the Django topic")
    make.answer(learner, answered)
    make.question(
        learner, title="Unwatched topic question here", cat=make.category("docker", "Docker")
    )

    extras = selectors.unanswered_where_watching(user=mentor)
    assert [e["title"] for e in extras] == [waiting.title]

    notify(
        recipients=[mentor],
        kind=Kind.ANSWER_ON_FOLLOWED,
        actor=learner,
        target_key="question:1",
        target_title="Something you follow",
        url="/q/1/x/",
    )
    Notification.objects.filter(recipient=mentor).update(email_mode="daily")
    mail.outbox.clear()
    assert emails.digest_send(mentor.pk, "daily")
    assert len(mail.outbox) == 1 and waiting.title in mail.outbox[0].body


class TestKeysetTieBreaker:
    """Sorting by score, most rows tie: the id breaks every tie, so walking the pages
    returns each row exactly once, in (-score, -id) order (issue 12: deleting the
    tie-breaker failed no test)."""

    @pytest.fixture
    def questions(self, learner, settings):
        from discussions.models import Question

        settings.NEXUS_POSTING_LIMITS = {
            "question": {"hour": 1_000, "new": 1_000},
            "reply": {"hour": 1_000, "new": 1_000},
        }
        category = make.category()
        made = [make.question(learner, cat=category, tags="") for _ in range(23)]
        scores = {made[3].pk: 5, made[10].pk: 5, made[17].pk: 2, made[0].pk: -1}
        for pk, score in scores.items():
            Question.objects.filter(pk=pk).update(score=score)
        return sorted(made, key=lambda q: (-scores.get(q.pk, 0), -q.pk))

    def walk(self, learner, *, backward: bool = False) -> list[int]:
        seen: list[int] = []
        cursor = None
        for _ in range(50):  # bounded: a cursor that never ends would loop for ever
            page = selectors.question_list(
                viewer=learner, sort="top", cursor=cursor, limit=4, backward=backward
            )
            seen.extend(q.pk for q in (reversed(page.questions) if backward else page.questions))
            cursor = page.next_cursor
            if cursor is None:
                return seen[::-1] if backward else seen
        raise AssertionError("the pages never ended")

    def test_forward_pages_return_every_row_once_in_order(self, learner, questions):
        assert self.walk(learner) == [q.pk for q in questions]

    def test_backward_pages_return_every_row_once_in_order(self, learner, questions):
        assert self.walk(learner, backward=True) == [q.pk for q in questions]
