"""The mentors' queue through GraphQL has the page's every tab: flagged posts and waiting
questions (moderation/tests/test_permission_matrix_graphql.py), projects awaiting review
and the guide's proposals, "not helpful" notes and sections due, in a query count that
does not grow with them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from guides import services as guide_services
from guides.models import Section
from guides.tests import factories as guides
from hub.tests.gql import data
from projects import services as project_services
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db

QUEUE = """{ moderationQueue {
  projects { id title author { handle } tags reviewer { handle } }
  guide {
    proposals { id note proposer { handle } diff { sign line }
                section { title guide { slug } lastReviewedBy { handle } } }
    feedback { id note reader { handle } section { title body } }
    due { id title body mayBeOutOfDate lastReviewedBy { handle } guide { slug } }
  }
} }"""


def _grow(mentor, n: int) -> None:
    guide = guides.guide()
    for _ in range(n):
        learner = UserFactory()
        project = showcase.project(learner, feedback_wanted=True)
        project_services.review_request(actor=learner, project=project)
        section = guides.section(mentor, on=guide)
        guide_services.proposal_create(
            proposer=learner, section=section, title=section.title, body="Better.", note="Why"
        )
        guide_services.helpful_vote(user=learner, section=section, helpful=False, note="Unclear")
    Section.objects.update(created_at=timezone.now() - timedelta(days=400))


def test_the_queues_projects_and_guide_tabs_in_constant_queries(client, mentor, learner):
    client.force_login(learner)
    assert data(client, QUEUE)["moderationQueue"] is None
    client.force_login(mentor)
    _grow(mentor, 1)
    with CaptureQueriesContext(connection) as small:
        first = data(client, QUEUE)["moderationQueue"]
    _grow(mentor, 4)
    with CaptureQueriesContext(connection) as large:
        second = data(client, QUEUE)["moderationQueue"]
    assert len(first["projects"]) == 1 and len(second["projects"]) == 5
    tab = second["guide"]
    assert (len(tab["proposals"]), len(tab["feedback"]), len(tab["due"])) == (5, 5, 5)
    assert {"sign": "+", "line": "Better."} in tab["proposals"][0]["diff"]
    assert tab["feedback"][0]["note"] == "Unclear"
    assert tab["due"][0]["mayBeOutOfDate"] is True
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
