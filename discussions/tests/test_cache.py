"""What discussions caches (hub.cache) is never stale: each write is visible on the very
next read, through the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import services, views
from discussions.tests import factories as make
from moderation import services as moderation

pytestmark = [pytest.mark.django_db, pytest.mark.cached]


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_topics_sidebar_is_cached_and_a_rename_shows_at_once(
    client, django_capture_on_commit_callbacks
):
    services.category_ensure(slug="redis", name="Redis")
    _, cold = queries(client, "/questions/")
    response, warm = queries(client, "/questions/")
    assert warm < cold
    assert "Redis" in response.text

    with django_capture_on_commit_callbacks(execute=True):
        services.category_ensure(slug="redis", name="Redis caching")
    response, _ = queries(client, "/questions/?category=redis")
    assert "Redis caching" in response.text


# --- The thread page: answers and comments rendered once per thread version -----------------


@pytest.fixture
def thread(learner, other_learner):
    q = make.question(learner, title="Why is my Redis cache stale?")
    a = make.answer(other_learner, q, body="Bump a version number on every write.")
    make.comment(learner, answer=a, body="Which version key?")
    return q, a


def test_the_thread_is_cached_and_each_write_shows_on_the_next_read(
    client, thread, learner, other_learner, mentor, django_capture_on_commit_callbacks
):
    q, a = thread
    url = q.get_absolute_url()
    _, cold = queries(client, url)
    response, warm = queries(client, url)
    assert warm < cold
    assert "Bump a version number" in response.text and "Which version key?" in response.text

    def after(write):
        with django_capture_on_commit_callbacks(execute=True):
            write()
        return client.get(url).text

    text = after(lambda: services.answer_create(author=mentor, question=q, body="Use INCR."))
    assert "Use INCR." in text and "2 answers" in text
    text = after(lambda: services.comment_create(author=mentor, answer=a, body="v:question:42"))
    assert "v:question:42" in text
    text = after(lambda: services.answer_edit(editor=other_learner, answer=a, body="Use INCR too."))
    assert "Use INCR too." in text and "Bump a version number" not in text
    text = after(lambda: services.vote_toggle(user=learner, post=a))
    assert f'id="score-answer-{a.pk}" aria-label="Score">1<' in text
    text = after(lambda: services.answer_accept(actor=learner, answer=a))
    assert "is-accepted" in text
    text = after(lambda: moderation.content_hide(actor=mentor, target=a, reason="Spam, sorry."))
    assert "Use INCR too." not in text and "1 answer" in text


def test_mentors_and_authors_see_hidden_posts_past_the_shared_copy(
    client, thread, other_learner, mentor, django_capture_on_commit_callbacks
):
    q, a = thread
    with django_capture_on_commit_callbacks(execute=True):
        moderation.content_hide(actor=mentor, target=a, reason="Off topic here.")
    url = q.get_absolute_url()
    assert "Bump a version number" not in client.get(url).text  # cached for everyone
    client.force_login(mentor)
    text = client.get(url).text
    assert "Bump a version number" in text and "Off topic here." in text
    client.force_login(other_learner)
    assert "Bump a version number" in client.get(url).text


def test_mentors_share_one_copy_of_a_thread_with_hidden_posts(
    client,
    thread,
    learner,
    other_learner,
    mentor,
    template_renders,
    django_capture_on_commit_callbacks,
):
    """A hidden post no longer takes mentors off the shared render: they share a copy with
    the hidden posts (marked, with their Unhide), its author has one with their own, and
    nobody else is ever given either."""
    from accounts.models import Role
    from accounts.tests.factories import UserFactory

    q, a = thread
    make.answer(learner, q, body="Shown to everyone.")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.content_hide(actor=mentor, target=a, reason="Off topic here.")
    rendered = template_renders(views)
    url = q.get_absolute_url()

    def page(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client.get(url).text

    assert "Bump a version number" not in page(None)
    for overseer in (mentor, UserFactory(handle="second-mentor", role=Role.MENTOR)):
        text = page(overseer)
        assert "Bump a version number" in text and "Off topic here." in text
        assert f'action="/mod/unhide/answer/{a.pk}"' in text
        assert 'data-show-for="asker mentor"' in text, "a shared render, not the mentor's own"
    assert rendered.count(f"{views.DETAIL}#answers") == 2, "the second mentor got the copy"
    assert "Bump a version number" in page(other_learner)  # the hidden answer's author
    assert "Bump a version number" not in page(learner)
    assert "Shown to everyone." in page(learner)
    assert rendered.count(f"{views.DETAIL}#answers") == 3


def test_per_viewer_parts_of_a_cached_thread(client, thread, learner, other_learner, mentor):
    q, a = thread
    url = q.get_absolute_url()
    client.get(url)  # fills the cache as an anonymous visitor
    client.force_login(other_learner)
    services.vote_toggle(user=other_learner, post=q)
    response = client.get(url)
    text = response.text
    # The viewer's own CSRF token, never the placeholder or someone else's.
    assert views.CSRF_PLACEHOLDER not in text
    token = response.context["csrf_token"]
    assert f'name="csrfmiddlewaretoken" value="{token}"' in text
    # Controls are there for the page's script to reveal by rule; the server checks anyway.
    assert f'data-show-for="author:{other_learner.pk} mentor"' in text
    assert 'data-show-for="asker mentor"' in text
    assert '<template id="viewer-votes" data-answers=""></template>' in text

    client.force_login(mentor)
    services.vote_toggle(user=mentor, post=a)
    text = client.get(url).text
    assert f'<template id="viewer-votes" data-answers="{a.pk}">' in text
    assert f'action="/mod/hide/answer/{a.pk}"' in text or "mod-hide" in text


def test_lines_other_apps_add_under_answers_go_into_the_shared_copy(
    client, thread, learner, mentor, monkeypatch
):
    """An app's per-viewer line under one answer (the guide's "Add to the guide" for mentors)
    goes into the cached copy at its mark: the viewer still gets the shared render."""
    from discussions import extensions

    q, a = thread
    other = make.answer(learner, q, body="A second thought.")

    def mentors_line(request, question, answers):
        extras = extensions.ThreadExtras()
        if request.user.is_authenticated and request.user.is_mentor:
            extras.answers[a.pk] = '<p class="test-extra">Only for mentors</p>'
        return extras

    monkeypatch.setattr(extensions, "THREAD_EXTRAS", [*extensions.THREAD_EXTRAS, mentors_line])
    url = q.get_absolute_url()
    assert "test-extra" not in client.get(url).text  # a visitor fills the shared copy
    client.force_login(mentor)
    text = client.get(url).text
    assert 'data-show-for="asker mentor"' in text, "the mentor's page is the shared copy"
    line = text.index("Only for mentors")
    assert text.index(f'id="answer-{a.pk}"') < line < text.index(f'id="answer-{other.pk}"')


# --- List rows: rendered once for everyone who gets the same rows ---------------------------


def test_list_rows_are_shared_and_every_change_a_row_shows_is_seen_at_once(
    client, learner, other_learner, mentor, template_renders, django_capture_on_commit_callbacks
):
    from accounts import services as accounts

    q = make.question(learner, title="Which Redis eviction policy?")
    make.question(other_learner, title="Celery retries with jitter")
    rendered = template_renders(views)
    client.force_login(learner)
    first = client.get("/questions/").text
    client.force_login(other_learner)
    second = client.get("/questions/").text
    assert rendered.count(f"{views.LIST}#question-rows") == 1, (
        "the second viewer's rows came from the cache"
    )
    assert "Which Redis eviction policy?" in second and first.count('id="question-row-') == 2

    def rows_after(write):
        with django_capture_on_commit_callbacks(execute=True):
            write()
        return client.get("/questions/").text

    text = rows_after(lambda: services.vote_toggle(user=other_learner, post=q))
    assert "<strong>1</strong> vote" in text
    text = rows_after(
        lambda: services.question_edit(
            editor=learner,
            question=q,
            title="Which Redis maxmemory policy?",
            body=q.body,
            category=q.category,
            tags=["redis"],
        )
    )
    assert "Which Redis maxmemory policy?" in text and '?tag=redis">redis<' in text
    text = rows_after(
        lambda: services.answer_create(author=mentor, question=q, body="allkeys-lru.")
    )
    assert "<strong>1</strong> answer" in text
    text = rows_after(
        lambda: accounts.user_profile_update(
            actor=learner, user=learner, display_name="Lena Learner-Renamed"
        )
    )
    assert "Lena Learner-Renamed" in text

    client.force_login(mentor)  # sees the same rows plus none hidden: the same entry serves
    assert "Which Redis maxmemory policy?" in client.get("/questions/").text
