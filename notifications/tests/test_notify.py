"""Who hears of what: every notify rule through the discussions services that call it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from discussions import services as discussions
from discussions.models import Tag
from discussions.tests import factories as make
from hub import live
from notifications import services
from notifications.models import Kind, Notification
from projects.tests import factories as make_project

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


def test_accepted_answer_is_told_and_one_up_vote_is_not_news(question, learner, other_learner):
    answer = make.answer(other_learner, question)
    discussions.answer_accept(actor=learner, answer=answer)
    discussions.vote_toggle(user=learner, post=answer)
    assert (Kind.ANSWER_ACCEPTED, 1) in kinds_for(other_learner)
    assert not Notification.objects.filter(kind=Kind.VOTE_MILESTONE).exists()


def test_vote_milestones_start_at_five(question, other_learner):
    answer = make.answer(other_learner, question)
    voters = UserFactory.create_batch(11)
    for voter in voters[:4]:
        discussions.vote_toggle(user=voter, post=answer)
    assert not Notification.objects.filter(kind=Kind.VOTE_MILESTONE).exists()

    discussions.vote_toggle(user=voters[4], post=answer)  # 5
    milestone = Notification.objects.get(recipient=other_learner, kind=Kind.VOTE_MILESTONE)
    assert milestone.message == "Your post reached 5 up-votes"
    services.notification_read(user=other_learner, notification=milestone)

    # Taken back and given again: the fifth up-vote is not announced twice.
    discussions.vote_toggle(user=voters[4], post=answer)
    discussions.vote_toggle(user=voters[4], post=answer)
    for voter in voters[5:9]:  # 6..9
        discussions.vote_toggle(user=voter, post=answer)
    assert kinds_for(other_learner).count((Kind.VOTE_MILESTONE, 5)) == 1
    assert (Kind.VOTE_MILESTONE, 10) not in kinds_for(other_learner)
    discussions.vote_toggle(user=voters[9], post=answer)  # 10
    assert (Kind.VOTE_MILESTONE, 10) in kinds_for(other_learner)


@pytest.mark.parametrize(
    ("score", "told"),
    [
        (1, False),
        (2, False),
        (4, False),
        (5, True),
        (10, True),
        (11, False),
        (25, True),
        (50, True),
        (75, False),
        (100, True),
        (150, False),
        (200, True),
        (300, True),
    ],
)
def test_which_scores_are_milestones(score, told):
    assert services.is_vote_milestone(score) is told


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


def test_opening_a_thread_marks_its_notifications_read(
    client,
    question,
    learner,
    other_learner,
    mentor,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    answer = make.answer(other_learner, question)  # learner: an answer to your question
    make.comment(mentor, body="About the answer", answer=answer)  # other_learner: a comment
    discussions.answer_accept(actor=learner, answer=answer)  # other_learner: accepted
    elsewhere = make.question(other_learner, title="A different thread entirely, about Redis")
    make.answer(learner, elsewhere)  # other_learner: an answer on another thread
    assert Notification.objects.filter(recipient=other_learner, is_read=False).count() == 3
    client.force_login(other_learner)

    published = []
    monkeypatch.setattr(live, "publish", lambda topic, html, *a: published.append((topic, html)))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(question.get_absolute_url())
    assert page.status_code == 200
    unread = Notification.objects.filter(recipient=other_learner, is_read=False)
    assert [n.target_key for n in unread] == [f"question:{elsewhere.pk}"]
    # The bell on this very page, and the person's other tabs, count what is left: one.
    assert 'id="bell-count" class="bell__count">1' in page.text
    assert [topic for topic, _ in published] == [f"user:{other_learner.pk}"]
    assert ">1<" in published[0][1]
    # Nobody else's notifications are touched by someone reading the thread.
    assert Notification.objects.filter(recipient=learner, is_read=False).exists()


def test_opening_a_project_marks_its_notifications_read(client, learner, other_learner):
    project = make_project.project(learner)
    make_project.feedback(other_learner, project)
    assert Notification.objects.filter(recipient=learner, is_read=False).count() == 1
    client.force_login(learner)
    page = client.get(project.get_absolute_url())
    assert page.status_code == 200
    assert not Notification.objects.filter(recipient=learner, is_read=False).exists()


def test_viewing_with_nothing_unread_writes_nothing(client, question, learner, other_learner):
    """Any SQL write makes the visitors' cached pages new: a read-only view stays read-only."""
    make.answer(other_learner, question)
    Notification.objects.filter(recipient=learner).update(is_read=True)
    client.force_login(learner)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(question.get_absolute_url()).status_code == 200
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("UPDATE")
        and "notifications_notification" in q["sql"]
    ]
    assert writes == []


def test_a_tab_on_the_thread_reads_a_notification_as_it_arrives(
    client, question, learner, other_learner
):
    """live.js posts here when a notification is about the page on screen (decision 0021)."""
    make.answer(other_learner, question)
    notification = Notification.objects.get(recipient=learner)
    url = reverse("notifications:read", args=[notification.pk])
    client.force_login(other_learner)
    assert client.post(url).status_code == 404  # not theirs
    client.force_login(learner)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 204
    notification.refresh_from_db()
    assert notification.is_read


def test_the_toast_says_where_it_points_and_whether_its_news_shows_in_place(
    question, learner, other_learner
):
    from django.template.loader import render_to_string

    make.answer(other_learner, question)
    notification = Notification.objects.get(recipient=learner)
    toast = render_to_string(
        "notifications/live.html#arrived", {"notification": notification, "unread": 1}
    )
    assert f'data-url="{notification.url}"' in toast and "data-in-place" in toast
    assert f'data-read-url="/notifications/{notification.pk}/read"' in toast
    notification.kind = "moderation"
    toast = render_to_string(
        "notifications/live.html#arrived", {"notification": notification, "unread": 1}
    )
    assert "data-in-place" not in toast  # a moderation notice's reason is in its toast
