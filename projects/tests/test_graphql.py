"""Projects through GraphQL: drafts and hidden projects stay their author's (and the
mentors'), nested feedback in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions.tests import factories as forum
from hub.tests.gql import data, gid, node
from projects import services
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db

GALLERY = """
query($first: Int!) {
  projects(first: $first) {
    edges { node {
      id title tags viewerHasStarred author { handle }
      feedback { body author { handle } replies { body author { handle } } }
      reviews { verdict reviewer { handle } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def test_gallery_nested_feedback_query_count_is_constant(client, learner, other_learner, mentor):
    def grow(n):
        for _ in range(n):
            p = showcase.project(learner)
            f = showcase.feedback(other_learner, p)
            showcase.feedback(learner, p, body="Thanks!", parent=f)

    client.force_login(other_learner)
    grow(2)
    with CaptureQueriesContext(connection) as small:
        first = data(client, GALLERY, {"first": 50})
    grow(5)
    with CaptureQueriesContext(connection) as large:
        second = data(client, GALLERY, {"first": 50})
    assert len(first["projects"]["edges"]) == 2
    assert len(second["projects"]["edges"]) == 7
    feedback = second["projects"]["edges"][0]["node"]["feedback"]
    assert feedback[0]["replies"][0]["body"] == "Thanks!"
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_draft_project_is_its_authors_alone(client, learner, other_learner, mentor):
    draft = showcase.project(learner, publish=False)
    query = "query($id: ID!) { node(id: $id) { ... on Project { id state } } }"
    for who in (None, other_learner, mentor):
        client.logout()
        if who:
            client.force_login(who)
        assert data(client, query, {"id": gid("Project", draft.pk)})["node"] is None
        assert data(client, GALLERY, {"first": 10})["projects"]["edges"] == []
    client.force_login(learner)
    assert data(client, query, {"id": gid("Project", draft.pk)})["node"]["state"] == "draft"
    mine = data(client, "{ projects(first: 5, filter: {mine: true}) { edges { node { id } } } }")
    assert [e["node"]["id"] for e in mine["projects"]["edges"]] == [gid("Project", draft.pk)]


def test_question_about_a_draft_project_shows_no_project(client, learner, other_learner):
    draft = showcase.project(learner, publish=False)
    q = forum.question(learner)
    q.project = draft
    q.save(update_fields=["project"])
    query = '{{ question(id: "{}") {{ project {{ id }} }} }}'.format(gid("Question", q.pk))
    client.force_login(other_learner)
    assert data(client, query)["question"]["project"] is None
    client.force_login(learner)
    assert data(client, query)["question"]["project"]["id"] == gid("Project", draft.pk)


def test_hidden_feedback_is_null_by_id_and_gone_from_lists(client, learner, other_learner, mentor):
    p = showcase.project(learner)
    f = showcase.feedback(other_learner, p, body="Buy my course at spam.example")
    from moderation import services as moderation

    moderation.content_hide(actor=mentor, target=f, reason="Spam")
    client.force_login(learner)
    assert node(client, gid("Feedback", f.pk)) is None
    assert data(client, GALLERY, {"first": 5})["projects"]["edges"][0]["node"]["feedback"] == []
    client.force_login(mentor)
    assert node(client, gid("Feedback", f.pk))


def test_reviews_and_stars(client, learner, other_learner, mentor):
    review = showcase.reviewed(learner, mentor)
    services.star_toggle(user=other_learner, project=review.project)
    client.force_login(other_learner)
    node = data(client, GALLERY, {"first": 5})["projects"]["edges"][0]["node"]
    assert node["viewerHasStarred"] is True
    assert node["reviews"] == [{"verdict": "looks_good", "reviewer": {"handle": "mentor-one"}}]
