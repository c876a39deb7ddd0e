"""A profile's forum activity (discussions/profile.py through accounts.extensions): the
person's questions and answers, their counts and topics, as the viewer may see them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from discussions import services
from discussions.tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_posting_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 1000, "new": 1000},
        "reply": {"hour": 1000, "new": 1000},
    }


def profile(client, user, **params):
    response = client.get(f"/u/{user.handle}/", params)
    assert response.status_code == 200
    return response.text


def test_questions_answers_counts_and_topics(client, learner, other_learner, mentor):
    celery = make.category("celery", "Celery")
    asked = make.question(learner, title="Why does my Celery task run twice?", cat=celery)
    make.question(learner, title="How do I squash old Django migrations?")
    first = make.answer(other_learner, asked, body="acks_late and idempotency.")
    services.answer_accept(actor=learner, answer=first)
    elsewhere = make.question(mentor, title="Which Redis eviction policy for a cache?")
    make.answer(other_learner, elsewhere)

    page = profile(client, other_learner)
    # A person who only answers opens on their answers.
    assert "<strong>2</strong> answers" in page and "<strong>1</strong> accepted" in page
    assert "<strong>0</strong> questions" in page
    assert f'href="{first.get_absolute_url()}"' in page  # each answer links to its question
    assert "Why does my Celery task run twice?" in page
    assert page.count("activity-row__stat--accepted") == 1
    assert "Accepted</span>" in page
    # The topics they help in, most answers first (both one answer: by name).
    topics = re.search(r'id="topics-title".*?</section>', page, re.S).group(0)
    assert "Celery" in topics and "Django" in topics and "1 accepted" in topics

    asker = profile(client, learner, tab="questions")
    assert "<strong>2</strong> questions" in asker and "<strong>0</strong> answers" in asker
    assert "Why does my Celery task run twice?" in asker
    assert "How do I squash old Django migrations?" in asker
    assert re.search(r'href="\?tab=questions" aria-current="true"', asker)


def test_tabs_are_plain_links_and_htmx_swaps_only_the_section(client, learner, other_learner):
    q = make.question(learner, title="What does select_related actually join?")
    make.answer(other_learner, q)
    page = profile(client, learner)
    assert 'href="?tab=answers"' in page and 'href="?tab=questions"' in page
    answers = profile(client, learner, tab="answers")
    assert re.search(r'href="\?tab=answers" aria-current="true"', answers)
    assert "has not answered anything yet" in answers

    fragment = client.get(
        f"/u/{learner.handle}/",
        {"tab": "questions"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="profile-activity",
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="profile-activity"' in fragment.text
    assert "What does select_related actually join?" in fragment.text


def test_empty_states(client, learner, other_learner):
    other = profile(client, learner, tab="questions")
    assert "Lena Learner has not asked anything yet." in other
    assert "Lena Learner has not answered in any topic yet." in other
    client.force_login(learner)
    own = profile(client, learner, tab="questions")
    assert "You have not asked anything yet." in own and "Ask a question" in own
    assert "You have not answered anything yet." in profile(client, learner, tab="answers")


def test_hidden_and_deleted_posts_only_for_those_who_may_see_them(
    client, learner, other_learner, mentor
):
    shown = make.question(learner, title="A question everyone may read here")
    hidden = make.question(learner, title="A question a mentor has hidden")
    services.post_hidden_set(post=hidden, hidden=True, reason="Spam")
    gone = make.question(learner, title="A question its author deleted")
    services.question_delete(actor=learner, question=gone)
    hidden_answer = make.answer(learner, make.question(other_learner), body="A hidden answer")
    services.post_hidden_set(post=hidden_answer, hidden=True, reason="Rude")
    # An answer on someone else's hidden question: the question is gone for the viewer.
    on_hidden = make.question(UserFactory(), title="Someone else's question, now hidden")
    make.answer(learner, on_hidden)
    services.post_hidden_set(post=on_hidden, hidden=True, reason="Off-topic")

    client.force_login(other_learner)
    page = profile(client, learner, tab="questions")
    assert shown.title in page
    assert hidden.title not in page and gone.title not in page
    assert "<strong>1</strong> question" in page and "<strong>0</strong> answers" in page
    answers = profile(client, learner, tab="answers")
    assert "Someone else&#x27;s question, now hidden" not in answers
    assert "has not answered anything yet" in answers

    client.force_login(mentor)
    page = profile(client, learner, tab="questions")
    assert hidden.title in page and "badge--warning" in page
    assert gone.title not in page  # deleted is deleted, for mentors too
    assert "<strong>2</strong> questions" in page and "<strong>2</strong> answers" in page

    client.force_login(learner)  # the author sees their own hidden post, marked
    own = profile(client, learner, tab="questions")
    assert hidden.title in own and "<strong>1</strong> answer<" in own


def test_pages_by_keyset_with_the_lists_cursor(client, learner, other_learner):
    q = make.question(other_learner, title="One question with many answers from one person")
    answers = [make.answer(learner, q, body=f"Answer number {n}") for n in range(23)]
    first = profile(client, learner, tab="answers")
    assert first.count('<li class="activity-row') == 20
    older = re.search(r'href="\?tab=answers&amp;after=([\w-]+)" rel="next"', first)
    assert older, "an Older link"
    second = profile(client, learner, tab="answers", after=older.group(1))
    assert second.count('<li class="activity-row') == 3
    assert f"#answer-{answers[0].pk}" in second and f"#answer-{answers[0].pk}" not in first
    assert 'rel="next"' not in second and 'href="?tab=answers">Newest' in second
    # A cursor that does not parse is the first page, not an error.
    assert (
        profile(client, learner, tab="answers", after="nonsense").count('<li class="activity-row')
        == 20
    )


@pytest.mark.parametrize("tab", ["questions", "answers"])
def test_query_count_does_not_grow_with_activity(client, learner, other_learner, mentor, tab):
    client.force_login(mentor)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            profile(client, learner, tab=tab)
        return len(ctx.captured_queries)

    make.answer(learner, make.question(other_learner))
    make.question(learner)
    small = count()
    topics = [make.category(f"topic-{n}", f"Topic {n}") for n in range(4)]
    for n in range(25):
        theirs = make.question(other_learner, cat=topics[n % 4])
        answer = make.answer(learner, theirs)
        if n % 3 == 0:
            services.answer_accept(actor=other_learner, answer=answer)
        make.question(learner, cat=topics[n % 4])
    assert count() == small
