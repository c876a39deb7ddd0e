"""Who hears of what: every notify rule through the discussions services that call it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussions import services as discussions
from discussions.models import Tag
from discussions.tests import factories as make
from notifications import services
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def kinds_for(user) -> list[tuple[str, int]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "count")
    )


@pytest.fixture
def question(learner):
    return make.question(learner, title="How do I make my Celery tasks idempotent?")


def test_answer_tells_the_asker_and_followers_but_not_the_author(
    question, learner, other_learner, mentor
):
    discussions.question_follow_set(user=mentor, question=question, follow=True)
    make.answer(other_learner, question)

    assert kinds_for(learner) == [(Kind.ANSWER_ON_QUESTION, 1)]
    assert kinds_for(mentor) == [(Kind.ANSWER_ON_FOLLOWED, 1)]
    assert kinds_for(other_learner) == []  # never of your own action


def test_repeats_coalesce_into_one_unread_notification(question, learner, other_learner, mentor):
    for author in (other_learner, mentor, other_learner, mentor, other_learner):
        make.answer(author, question, body=f"An answer by {author.handle}")
    [notification] = Notification.objects.filter(recipient=learner)
    assert notification.count == 5 and notification.message == "5 new answers on your question"
    assert notification.actor == other_learner

    services.notification_read(user=learner, notification=notification)
    make.answer(mentor, question, body="One more after reading")
    assert kinds_for(learner) == [(Kind.ANSWER_ON_QUESTION, 5), (Kind.ANSWER_ON_QUESTION, 1)]


def test_comments_go_to_the_post_author(question, learner, other_learner, mentor):
    answer = make.answer(other_learner, question)
    make.comment(mentor, body="On the question", question=question)
    make.comment(learner, body="On the answer", answer=answer)
    assert (Kind.COMMENT_ON_POST, 1) in kinds_for(learner)
    assert kinds_for(other_learner) == [(Kind.COMMENT_ON_POST, 1)]


def test_mentions_notify_once_even_after_edits(learner, other_learner, mentor):
    q = make.question(learner, body=f"Could @{mentor.handle} have a look?")
    assert kinds_for(mentor) == [(Kind.MENTION, 1)]
    discussions.question_edit(
        editor=learner,
        question=q,
        title=q.title,
        body=f"Could @{mentor.handle} have a look? (edited)",
        category=q.category,
        tags="django",
    )
    assert kinds_for(mentor) == [(Kind.MENTION, 1)]
    make.comment(other_learner, body=f"@{learner.handle} did it work?", question=q)
    assert (Kind.MENTION, 1) in kinds_for(learner)


def test_accepted_answer_and_vote_milestones(question, learner, other_learner, mentor, admin_user):
    answer = make.answer(other_learner, question)
    discussions.answer_accept(actor=learner, answer=answer)
    discussions.vote_toggle(user=learner, post=answer)
    assert (Kind.ANSWER_ACCEPTED, 1) in kinds_for(other_learner)
    milestone = Notification.objects.get(recipient=other_learner, kind=Kind.VOTE_MILESTONE)
    assert milestone.message == "Your post reached 1 up-vote"
    discussions.vote_toggle(user=mentor, post=answer)  # 2: no milestone
    assert Notification.objects.get(pk=milestone.pk).count == 1


def test_watched_category_and_tag(learner, other_learner, mentor):
    category = make.category()
    discussions.watch_set(user=mentor, watching=True, category=category)
    make.question(learner, tags="celery")
    Tag.objects.get_or_create(name="redis")
    discussions.watch_set(user=other_learner, watching=True, tag=Tag.objects.get(name="redis"))
    make.question(learner, tags="redis", cat=make.category("caching", "Caching"))
    assert kinds_for(mentor) == [(Kind.QUESTION_IN_WATCHED, 1)]
    assert kinds_for(other_learner) == [(Kind.QUESTION_IN_WATCHED, 1)]
    assert kinds_for(learner) == []


def test_a_muted_thread_stays_quiet(question, learner, other_learner):
    services.mute_set(user=learner, target_key=f"question:{question.pk}", muted=True)
    make.answer(other_learner, question)
    assert kinds_for(learner) == []


def test_views_bell_list_open_and_read_all(client, question, learner, other_learner, mentor):
    answer = make.answer(other_learner, question)
    make.comment(mentor, body="A comment", question=question)
    client.force_login(learner)

    page = client.get("/")
    assert 'id="bell-count" class="bell__count">2' in page.text

    latest = client.get(reverse("notifications:latest"), HTTP_HX_REQUEST="true")
    assert "answered your question" in latest.text and "<html" not in latest.text

    listing = client.get(reverse("notifications:list"))
    assert "answered your question" in listing.text and "commented on your post" in listing.text
    unread = client.get(reverse("notifications:list"), {"show": "unread"})
    assert unread.text.count('class="notification is-unread"') == 2

    note = Notification.objects.get(recipient=learner, kind=Kind.ANSWER_ON_QUESTION)
    opened = client.get(reverse("notifications:open", args=[note.pk]))
    assert opened.status_code == 302 and opened["Location"] == answer.get_absolute_url()
    note.refresh_from_db()
    assert note.is_read

    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=learner, is_read=False).exists()
    assert 'id="bell-count" class="bell__count" hidden' in client.get("/").text


def test_someone_elses_notification_is_404(client, question, learner, other_learner):
    make.answer(other_learner, question)
    note = Notification.objects.get(recipient=learner)
    client.force_login(other_learner)
    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404


def test_preferences_page(client, learner):
    client.force_login(learner)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200 and "Daily digest" in page.text
    client.post(reverse("notifications:preferences"), {Kind.MENTION: "off", "bogus": "x"})
    from notifications.models import Preference

    assert Preference.objects.get(user=learner, kind=Kind.MENTION).email_mode == "off"


def test_mute_button(client, question, learner):
    client.force_login(learner)
    response = client.post(
        reverse("notifications:mute"),
        {"target": f"question:{question.pk}", "muted": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "Unmute" in response.text


def test_list_query_count_is_constant(client, learner, other_learner, mentor, settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 1000, "new": 1000},
        "reply": {"hour": 1000, "new": 1000},
    }
    client.force_login(learner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notifications:list")).status_code == 200
        return len(ctx.captured_queries)

    make.answer(other_learner, make.question(learner))
    small = count()
    for _ in range(20):
        q = make.question(learner)
        make.answer(other_learner, q)
        make.comment(mentor, body="hi", question=q)
    assert Notification.objects.filter(recipient=learner).count() > 25
    assert count() == small
