"""Search: PostgreSQL full-text (ranked, title first, highlighted) in CI; the same
behaviour from the plain fallback on SQLite."""

import pytest
from django.db import connection

from discussions import selectors
from discussions.tests import factories as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(learner, other_learner, mentor):
    body_only = make.question(
        learner,
        title="My background worker loses jobs on deploy",
        body="The tasks vanish. I use Celery with RabbitMQ and acks_late is off. "
        "Is Celery's visibility timeout involved? Celery docs were unclear.",
    )
    in_title = make.question(
        other_learner,
        title="Celery retries: how do I back off exponentially?",
        body="I call self.retry() in a task.",
    )
    unrelated = make.question(
        mentor, title="How do I index a JSONField in PostgreSQL?", body="With GIN."
    )
    return body_only, in_title, unrelated


def test_finds_by_words_in_the_body(questions):
    body_only, _, unrelated = questions
    found = [r.question for r in selectors.question_search(viewer=None, query="rabbitmq")]
    assert found == [body_only]
    assert unrelated not in found


def test_ranks_title_matches_first(questions):
    body_only, in_title, _ = questions
    found = [r.question for r in selectors.question_search(viewer=None, query="celery")]
    assert found == [in_title, body_only]


def test_snippets_highlight_and_escape(learner):
    make.question(
        learner,
        title="Template shows raw tags around my serializer output",
        body="The serializer returns <script>alert(1)</script> in the serializer field.",
    )
    [result] = selectors.question_search(viewer=None, query="serializer")
    assert "<script>" not in result.snippet
    assert "&lt;script&gt;" in result.snippet or "script" not in result.snippet
    if connection.vendor == "postgresql":
        assert "<mark>serializer</mark>" in result.snippet


def test_stemming_on_postgresql(questions):
    if connection.vendor != "postgresql":
        pytest.skip("stemming is PostgreSQL full-text search; SQLite matches substrings")
    _, in_title, _ = questions
    found = [r.question for r in selectors.question_search(viewer=None, query="retrying")]
    assert in_title in found


def test_deleted_questions_are_not_found(questions, other_learner):
    from discussions import services

    _, in_title, _ = questions
    services.question_delete(actor=other_learner, question=in_title)
    found = [r.question for r in selectors.question_search(viewer=None, query="celery")]
    assert in_title not in found


def test_empty_and_symbol_only_queries(questions):
    assert selectors.question_search(viewer=None, query="   ") == []
    assert selectors.question_search(viewer=None, query="!!! ???") == []
