"""Every connection shares one set of arguments (hub.graphql_base.Paginated) and has a
`totalCount`: what the whole list holds as the viewer may see it, in one COUNT query run
only when the field is asked for."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions.tests import factories as forum
from hub.graphql import schema
from hub.tests.gql import data, run
from moderation import services as moderation
from notifications.models import Notification
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db

CONNECTIONS = {
    "questions": "questions(first: 2, sort: NEWEST)",
    "projects": "projects(first: 2)",
    "notifications": "notifications(first: 2)",
}


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }


def _world(learner, other_learner, mentor):
    """Five questions (one hidden), four projects (one a draft), three notifications."""
    questions = [forum.question(other_learner) for _ in range(5)]
    moderation.content_hide(actor=mentor, target=questions[0], reason="Spam")
    for _ in range(3):
        showcase.project(other_learner)
    showcase.project(other_learner, publish=False)
    for q in questions[2:]:
        forum.answer(other_learner, forum.question(learner, title=f"Mine: {q.title}"))


def test_every_connection_takes_the_same_arguments():
    fields = schema._schema.query_type.fields
    connections = [name for name, f in fields.items() if str(f.type).endswith("Connection!")]
    assert set(CONNECTIONS) <= set(connections)
    for name in connections:
        args = fields[name].args
        assert list(args)[:4] == ["first", "after", "last", "before"], name
        assert all(args[a].description for a in ("first", "after", "last", "before"))


@pytest.mark.parametrize("name", CONNECTIONS)
def test_total_count_is_one_count_query_and_only_when_asked(
    client, learner, other_learner, mentor, name
):
    _world(learner, other_learner, mentor)
    client.force_login(learner)
    field = CONNECTIONS[name]
    without = "{ " + field + " { edges { node { id } } pageInfo { hasNextPage } } }"
    with_count = "{ " + field + " { edges { node { id } } totalCount } }"
    with CaptureQueriesContext(connection) as plain:
        data(client, without)
    with CaptureQueriesContext(connection) as counted:
        got = data(client, with_count)[name]
    extra = [q["sql"] for q in counted.captured_queries[len(plain) :]]
    assert len(counted) == len(plain) + 1, extra
    assert "COUNT(" in extra[0].upper()
    assert not any("COUNT(" in q["sql"].upper() for q in plain.captured_queries)
    assert len(got["edges"]) == 2
    assert Notification.objects.filter(recipient=learner).count() == 3
    expected = {
        "questions": 4 + 3,  # the hidden one is not counted for a learner
        "projects": 3,  # nor is the draft
        "notifications": 3,  # an answer to each of the learner's questions
    }
    assert got["totalCount"] == expected[name]


def test_total_count_follows_filters_and_viewer(client, learner, other_learner, mentor):
    _world(learner, other_learner, mentor)
    query = "{ questions(first: 1, filter: {show: MINE}) { totalCount } }"
    client.force_login(learner)
    assert data(client, query)["questions"]["totalCount"] == 3
    client.force_login(other_learner)
    assert data(client, query)["questions"]["totalCount"] == 5  # their own hidden one too
    client.force_login(mentor)
    assert data(client, "{ questions(first: 1) { totalCount } }")["questions"]["totalCount"] == 8
    got = data(client, '{ questions(first: 1, filter: {category: "nope"}) { totalCount } }')
    assert got["questions"]["totalCount"] == 0
    client.logout()
    assert data(client, "{ notifications(first: 5) { totalCount } }")["notifications"] == {
        "totalCount": 0
    }
    got = data(client, "{ projects(first: 5, filter: {mine: true}) { totalCount } }")
    assert got["projects"]["totalCount"] == 0


def test_total_count_is_in_the_cost(client):
    cheap = run(client, "{ questions(first: 3) { edges { cursor } } }")
    counted = run(client, "{ questions(first: 3) { edges { cursor } totalCount } }")
    cost = lambda body: body["extensions"]["cost"]["requestedQueryCost"]  # noqa: E731
    assert cost(counted) == cost(cheap) + 1
