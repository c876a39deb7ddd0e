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


# --- Writes -------------------------------------------------------------------------------

_n = iter(range(10**6))


def bearer(user, *scopes):
    from accounts import services as account_services

    _, raw = account_services.token_create(user=user, name=f"t{next(_n)}", scopes=scopes,
                                           expires_at=None)  # fmt: skip
    return {"Authorization": f"Bearer {raw}"}


def send(client, method, url, data=None, headers=None):
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


NEW = {"title": "Library lending API", "pitch": "Borrow books over REST.",
       "repository_url": "https://github.com/lena/library", "tags": ["django", "drf"]}  # fmt: skip


class TestProjectWrites:
    def test_create_a_draft_publish_and_unpublish(self, client, learner):
        token = bearer(learner, "write")
        response = send(client, "post", "/api/v1/projects", NEW, token)
        assert response.status_code == 201, response.content
        project = response.json()
        assert project["state"] == "draft" and project["tags"] == ["django", "drf"]
        assert client.get(project["url"]).status_code == 404  # a draft is its author's
        published = send(client, "post", f"{project['url']}/publish", None, token)
        assert published.json()["state"] == "published"
        assert client.get(project["url"]).status_code == 200
        edited = send(client, "patch", project["url"], {"pitch": "Borrow and return."}, token)
        assert edited.json()["pitch"] == "Borrow and return."
        assert edited.json()["title"] == NEW["title"]
        back = send(client, "post", f"{project['url']}/unpublish", None, token)
        assert back.json()["state"] == "draft"

    def test_hostile_links_are_field_errors(self, client, learner):
        data = {**NEW, "repository_url": "javascript:alert(1)"}
        response = send(client, "post", "/api/v1/projects", data, bearer(learner, "write"))
        assert response.status_code == 400 and "repository_url" in response.json()["errors"]

    @pytest.mark.parametrize("extra", [{"author": 2}, {"star_count": 9}, {"state": "hidden"},
                                       {"reviewer": 1}, {"review_state": "reviewed"}])  # fmt: skip
    def test_mass_assignment_is_refused(self, client, learner, extra):
        from projects.models import Project

        response = send(client, "post", "/api/v1/projects", {**NEW, **extra},
                        bearer(learner, "write"))  # fmt: skip
        assert response.status_code == 400 and list(response.json()["errors"]) == list(extra)
        assert Project.objects.count() == 0

    def test_others_cannot_edit(self, client, learner, other_learner):
        project = make.project(learner)
        response = send(client, "patch", f"/api/v1/projects/{project.pk}", {"pitch": "Mine"},
                        bearer(other_learner, "write"))  # fmt: skip
        assert response.status_code == 403

    def test_star_is_idempotent_and_not_your_own(self, client, learner, other_learner):
        project = make.project(learner)
        url = f"/api/v1/projects/{project.pk}/star"
        token = bearer(other_learner, "write")
        assert send(client, "put", url, None, token).json() == {"starred": True, "star_count": 1}
        assert send(client, "put", url, None, token).json() == {"starred": True, "star_count": 1}
        assert send(client, "delete", url, None, token).json() == {"starred": False,
                                                                  "star_count": 0}  # fmt: skip
        assert send(client, "put", url, None, bearer(learner, "write")).status_code == 403

    def test_feedback_and_a_reply(self, client, learner, other_learner):
        project = make.project(learner)
        url = f"/api/v1/projects/{project.pk}/feedback"
        top = send(client, "post", url, {"body": "Nice!"}, bearer(other_learner, "write"))
        assert top.status_code == 201
        reply = send(client, "post", url, {"body": "Thanks", "parent": top.json()["id"]},
                     bearer(learner, "write"))  # fmt: skip
        assert reply.status_code == 201
        bad = send(client, "post", url, {"body": "x", "parent": 999999}, bearer(learner, "write"))
        assert bad.status_code == 400 and "parent" in bad.json()["errors"]

    def test_review_request_claim_submit_and_conflicts(self, client, learner, mentor):
        from accounts.models import Role
        from accounts.tests.factories import UserFactory

        other_mentor = UserFactory(handle="mentor-two", role=Role.MENTOR)
        project = make.project(learner, feedback_wanted=True)
        base = f"/api/v1/projects/{project.pk}/review"
        mine = bearer(learner, "write")
        assert send(client, "post", f"{base}/request", None, mine).json()["review_state"] == (
            "requested"
        )
        assert send(client, "post", f"{base}/request", None, mine).status_code == 409
        assert send(client, "post", f"{base}/claim", None, mine).status_code == 403
        token = bearer(mentor, "write")
        claimed = send(client, "post", f"{base}/claim", None, token)
        assert claimed.json()["review_state"] == "in_review"
        late = send(client, "post", f"{base}/claim", None, bearer(other_mentor, "write"))
        assert late.status_code == 409 and "already claimed" in late.json()["detail"]
        done = send(client, "post", f"{base}/submit",
                    {"verdict": "looks_good", "works": "Clean **models**."}, token)  # fmt: skip
        assert done.status_code == 200, done.content
        assert done.json()["review_state"] == "reviewed"
        assert done.json()["reviews"][0]["verdict"] == "looks_good"
