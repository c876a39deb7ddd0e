"""The projects API: the gallery and a project, with the pages' visibility."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.tests import factories as make

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


class TestProjectList:
    def test_gallery_lists_published_only(self, client, learner):
        shown = make.project(learner)
        make.project(learner, publish=False)
        body = client.get("/api/v1/projects").json()
        assert [r["id"] for r in body["results"]] == [shown.pk]
        row = body["results"][0]
        assert row["tags"] == ["django", "drf"] and row["starred"] is False
        assert row["url"] == f"http://testserver/api/v1/projects/{shown.pk}"

    def test_mine_includes_drafts(self, client, learner):
        draft = make.project(learner, publish=False)
        client.force_login(learner)
        ids = [r["id"] for r in client.get("/api/v1/projects?mine=true").json()["results"]]
        assert ids == [draft.pk]

    def test_pages_both_ways(self, client, learner):
        made = [make.project(learner) for _ in range(3)]
        first = client.get("/api/v1/projects?limit=2").json()
        assert [r["id"] for r in first["results"]] == [made[2].pk, made[1].pk]
        second = client.get(first["next"]).json()
        assert [r["id"] for r in second["results"]] == [made[0].pk]
        back = client.get(second["previous"]).json()
        assert [r["id"] for r in back["results"]] == [made[2].pk, made[1].pk]

    def test_query_count_is_constant(self, client, learner, mentor):
        make.project(learner)
        client.force_login(mentor)
        few, _ = count_queries(client, "/api/v1/projects")
        for _ in range(5):
            make.project(mentor, tags="celery redis")
        many, response = count_queries(client, "/api/v1/projects")
        assert len(response.json()["results"]) == 6 and few == many


class TestProjectDetail:
    def test_feedback_and_reviews(self, client, learner, other_learner, mentor):
        project = make.project(learner)
        top = make.feedback(other_learner, project, body="Nice **API**")
        make.feedback(learner, project, body="Thanks", parent=top)
        body = client.get(f"/api/v1/projects/{project.pk}").json()
        assert body["description"].startswith("Built with") and body["open_review"] is None
        (row,) = body["feedback"]
        assert row["body_html"] == "<p>Nice <strong>API</strong></p>\n"
        assert row["replies"][0]["author"]["handle"] == learner.handle

    def test_a_draft_is_404_for_others(self, client, learner, other_learner):
        draft = make.project(learner, publish=False)
        assert client.get(f"/api/v1/projects/{draft.pk}").status_code == 404
        client.force_login(other_learner)
        assert client.get(f"/api/v1/projects/{draft.pk}").status_code == 404
        client.force_login(learner)
        assert client.get(f"/api/v1/projects/{draft.pk}").json()["state"] == "draft"

    def test_query_count_is_constant_in_feedback(self, client, learner, other_learner):
        project = make.project(learner)
        make.feedback(other_learner, project)
        url = f"/api/v1/projects/{project.pk}"
        few, _ = count_queries(client, url)
        for _ in range(4):
            top = make.feedback(other_learner, project)
            make.feedback(learner, project, body="Thanks", parent=top)
        many, _ = count_queries(client, url)
        assert few == many
