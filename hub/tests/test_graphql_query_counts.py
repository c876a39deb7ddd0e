"""Query counts of the graph's list fields not pinned elsewhere, constant in the length of
the lists, nested ones included: revisions (a question's and its answers'), an answer's
question, duplicates' originals, questions' projects, search hits, notifications, the
categories. (questions → answers → comments, projects → feedback, the queue, the log and
the guide are pinned in their apps' tests.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from discussions import services as forum_services
from discussions.tests import factories as forum
from hub.tests.gql import data
from moderation import services as moderation
from notifications.models import Kind
from notifications.services import notify
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }


def _same(small, large) -> None:
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


QUESTIONS = """query($first: Int!) {
  questions(first: $first, sort: NEWEST) {
    edges { node {
      id revisions { title editor { handle } }
      duplicateOf { id title author { handle } tags { name } }
      project { id title author { handle } tags }
      answers { isAccepted question { id } revisions { body editor { handle } } }
    } }
  }
}"""


def test_revisions_duplicates_and_projects_of_a_question_list(client, learner, mentor):
    original = forum.question(mentor, title="The one original question about migrations")

    def grow(n):
        for _ in range(n):
            project = showcase.project(learner)
            question = forum_services.question_create(
                author=learner,
                title=f"Why does project {project.pk} fail to migrate?",
                body="It fails.",
                category=forum.category(),
                project=project,
            )
            forum_services.question_edit(
                editor=learner, question=question, title=question.title, body="It fails twice.",
                category=question.category, tags="django",
            )  # fmt: skip
            answer = forum.answer(mentor, question)
            forum_services.answer_edit(editor=mentor, answer=answer, body="Run it again.")
            forum_services.answer_accept(actor=learner, answer=answer)
            other = forum.question(learner)
            moderation.question_mark_duplicate(actor=mentor, question=other, original=original)

    client.force_login(learner)
    grow(1)
    with CaptureQueriesContext(connection) as small:
        first = data(client, QUESTIONS, {"first": 100})["questions"]["edges"]
    grow(4)
    with CaptureQueriesContext(connection) as large:
        second = data(client, QUESTIONS, {"first": 100})["questions"]["edges"]
    assert len(second) == len(first) + 8
    nodes = [edge["node"] for edge in second]
    assert sum(1 for n in nodes if n["duplicateOf"]) == 5
    assert sum(1 for n in nodes if n["project"]) == 5
    with_answers = [n for n in nodes if n["answers"]]
    assert len(with_answers[0]["answers"][0]["revisions"]) == 2
    assert with_answers[0]["answers"][0]["isAccepted"] is True
    _same(small, large)


SEARCH = """query($q: String!) {
  search(query: $q, first: 50) {
    snippet question { id author { handle } tags { name } acceptedAnswer { id }
                       answers { author { handle } comments { body } } }
  }
}"""


def test_search_hits_and_their_nested_lists(client, learner, other_learner):
    def grow(n):
        for _ in range(n):
            question = forum.question(learner, title="Celery retries and the broker, again?")
            answer = forum.answer(other_learner, question)
            forum.comment(learner, answer=answer)

    grow(1)
    with CaptureQueriesContext(connection) as small:
        first = data(client, SEARCH, {"q": "celery retries"})["search"]
    grow(4)
    with CaptureQueriesContext(connection) as large:
        second = data(client, SEARCH, {"q": "celery retries"})["search"]
    assert (len(first), len(second)) == (1, 5)
    assert second[0]["question"]["answers"][0]["comments"] == [{"body": "Which version?"}]
    _same(small, large)


NOTIFICATIONS = """{ notifications(first: 100) {
  totalCount edges { node { id message kind actor { handle name } } } } }"""


def test_notifications_and_their_actors(client, learner):
    def grow(n):
        for _ in range(n):
            someone = UserFactory()
            notify(
                recipients=[learner],
                kind=Kind.ANSWER_ON_QUESTION,
                actor=someone,
                target_key=f"question:{someone.pk}",
                target_title="How do I migrate?",
                url="/q/1/",
            )

    client.force_login(learner)
    grow(1)
    with CaptureQueriesContext(connection) as small:
        first = data(client, NOTIFICATIONS)["notifications"]
    grow(6)
    with CaptureQueriesContext(connection) as large:
        second = data(client, NOTIFICATIONS)["notifications"]
    assert (first["totalCount"], second["totalCount"]) == (1, 7)
    assert all(edge["node"]["actor"] for edge in second["edges"])
    _same(small, large)


def test_categories(client):
    forum.category()
    with CaptureQueriesContext(connection) as small:
        first = data(client, "{ categories { id name slug description } }")["categories"]
    for n in range(5):
        forum.category(slug=f"topic-{n}", name=f"Topic {n}")
    with CaptureQueriesContext(connection) as large:
        second = data(client, "{ categories { id name slug description } }")["categories"]
    assert (len(first), len(second)) == (1, 6)
    _same(small, large)
