"""A profile's showcase part (projects/profile.py through accounts.extensions): the
person's projects and, for mentors, the reviews they wrote."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.tests import factories as make

pytestmark = pytest.mark.django_db


def profile(client, user, **params):
    response = client.get(f"/u/{user.handle}/", params)
    assert response.status_code == 200
    return response.text


def test_a_learners_projects_and_no_reviews_tab(client, learner, other_learner):
    shown = make.project(learner, title="Library lending API")
    draft = make.project(learner, title="A draft nobody else sees", publish=False)
    page = profile(client, learner)
    assert shown.title in page and draft.title not in page
    assert "<strong>1</strong> project<" in page
    assert 'href="?tab=reviews"' not in page  # reviews are a mentor's

    client.force_login(learner)
    own = profile(client, learner, tab="projects")
    assert draft.title in own and "<strong>2</strong> projects" in own


def test_a_mentors_reviews(client, learner, other_learner, mentor):
    review = make.reviewed(learner, mentor, verdict="needs_work", title="Celery pipeline")
    make.project(other_learner, title="Unreviewed thing")
    page = profile(client, mentor, tab="reviews")
    assert re.search(r'href="\?tab=reviews" aria-current="true"', page)
    assert "<strong>1</strong> review<" in page
    assert f"{review.project.get_absolute_url()}#review-{review.pk}" in page
    assert "Needs work" in page and learner.name in page
    assert "Unreviewed thing" not in page

    # A review of a project the viewer may no longer open is neither listed nor counted.
    services.project_hidden_set(project=review.project, hidden=True, by=mentor, reason="Leak")
    client.force_login(other_learner)
    hidden = profile(client, mentor, tab="reviews")
    assert "Celery pipeline" not in hidden and "<strong>0</strong> reviews" in hidden
    client.force_login(mentor)
    assert "Celery pipeline" in profile(client, mentor, tab="reviews")


def test_empty_states(client, learner, mentor):
    assert "Lena Learner has not shared a project yet." in profile(client, learner, tab="projects")
    assert "Mia Mentor has not reviewed a project yet." in profile(client, mentor, tab="reviews")


def test_reviews_page_by_keyset(client, learner, mentor):
    reviews = [make.reviewed(learner, mentor) for _ in range(14)]
    first = profile(client, mentor, tab="reviews")
    assert first.count('<li class="activity-row') == 12
    older = re.search(r'href="\?tab=reviews&amp;after=([\w-]+)" rel="next"', first)
    second = profile(client, mentor, tab="reviews", after=older.group(1))
    assert second.count('<li class="activity-row') == 2
    assert f"#review-{reviews[0].pk}" in second and f"#review-{reviews[0].pk}" not in first


@pytest.mark.parametrize("tab", ["projects", "reviews"])
def test_query_count_does_not_grow(client, learner, other_learner, mentor, tab):
    client.force_login(other_learner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            profile(client, mentor, tab=tab)
        return len(ctx.captured_queries)

    make.project(mentor)
    make.reviewed(learner, mentor)
    small = count()
    for _ in range(8):
        make.project(mentor)
        make.reviewed(learner, mentor)
    assert count() == small
