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
