"""The discussions API: reads (shape, visibility, pagination, query counts) and writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from discussions.tests import factories as make
from moderation import services as moderation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roomy_posting_limits(settings):
    """These tests post more than a new account may in an hour (tested elsewhere)."""
    settings.NEXUS_POSTING_LIMITS = {"question": {"hour": 100, "new": 100},
                                     "reply": {"hour": 100, "new": 100}}  # fmt: skip


_tokens = iter(range(10**6))


def bearer(user, *scopes):
    _, raw = account_services.token_create(
        user=user, name=f"t-{next(_tokens)}", scopes=scopes, expires_at=None
    )
    return {"Authorization": f"Bearer {raw}"}


def queries(client, url, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


class TestQuestionList:
    def test_shape_and_links(self, client, learner):
        question = make.question(learner, tags="django orm")
        body = client.get("/api/v1/questions").json()
        assert body["next"] is None and body["previous"] is None and body["pinned"] == []
        row = body["results"][0]
        assert row["id"] == question.pk and row["title"] == question.title
        assert row["url"] == f"http://testserver/api/v1/questions/{question.pk}"
        assert row["html_url"] == f"http://testserver/q/{question.pk}/"
        assert row["tags"] == ["django", "orm"]
        assert row["author"] == {"handle": "learner-one", "display_name": "Lena Learner",
                                 "role": "learner"}  # fmt: skip
        assert row["category"] == {"slug": "django", "name": "Django"}
        assert "email" not in str(row)

    def test_keyset_pages_both_ways_with_link_headers(self, client, learner):
        made = [make.question(learner) for _ in range(5)]
        newest_first = [q.pk for q in reversed(made)]
        first = client.get("/api/v1/questions?sort=newest&limit=2")
        body = first.json()
        assert [r["id"] for r in body["results"]] == newest_first[:2]
        assert body["previous"] is None
        assert first["Link"] == f'<{body["next"]}>; rel="next"'
        second = client.get(body["next"]).json()
        assert [r["id"] for r in second["results"]] == newest_first[2:4]
        # Rows inserted meanwhile do not shift the pages already handed out.
        make.question(learner)
        third = client.get(second["next"]).json()
        assert [r["id"] for r in third["results"]] == newest_first[4:]
        assert third["next"] is None
        back = client.get(second["previous"]).json()
        assert [r["id"] for r in back["results"]] == newest_first[:2]
        response = client.get(second["next"])
        assert 'rel="prev"' in response["Link"]

    @pytest.mark.parametrize(
        "query",
        ["limit=0", "limit=101", "limit=x", "sort=worst", "show=everything", "after=a&before=b"],
    )
    def test_bad_parameters_are_400_problems(self, client, query):
        response = client.get(f"/api/v1/questions?{query}")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"]

    def test_garbage_cursor_is_the_first_page(self, client, learner):
        make.question(learner)
        response = client.get("/api/v1/questions?after=%%%not-a-cursor")
        assert response.status_code == 200 and len(response.json()["results"]) == 1

    def test_filters_and_search(self, client, learner, other_learner):
        docker = make.category("docker", "Docker")
        mine = make.question(learner, title="Containers that will not start at all", cat=docker,
                             tags="compose")  # fmt: skip
        theirs = make.question(other_learner, title="Django admin hides a field somehow")
        make.answer(learner, theirs)
        ids = lambda url, **kw: [r["id"] for r in client.get(url, **kw).json()["results"]]  # noqa: E731
        assert ids("/api/v1/questions?category=docker") == [mine.pk]
        assert ids("/api/v1/questions?tag=compose") == [mine.pk]
        assert ids("/api/v1/questions?show=unanswered") == [mine.pk]
        assert ids("/api/v1/questions?q=containers") == [mine.pk]
        assert client.get("/api/v1/questions?category=nope").status_code == 404
        client.force_login(learner)
        assert ids("/api/v1/questions?show=mine") == [mine.pk]

    def test_hidden_questions_are_absent_for_learners(self, client, learner, other_learner,
                                                       mentor):  # fmt: skip
        question = make.question(learner)
        moderation.content_hide(actor=mentor, target=question, reason="Spam link")
        client.force_login(other_learner)
        assert client.get("/api/v1/questions").json()["results"] == []
        assert client.get(f"/api/v1/questions/{question.pk}").status_code == 404
        client.force_login(mentor)
        rows = client.get("/api/v1/questions").json()["results"]
        assert rows[0]["is_hidden"] is True

    def test_query_count_is_constant_in_list_length(self, client, learner, mentor):
        make.question(learner)
        few, _ = queries(client, "/api/v1/questions")
        for _ in range(6):
            make.question(mentor, tags="celery redis docker")
        many, response = queries(client, "/api/v1/questions")
        assert len(response.json()["results"]) == 7
        assert few == many
        token = bearer(learner)
        client.get("/api/v1/me", headers=token)  # the token's first use records it (1 UPDATE)
        few_token, _ = queries(client, "/api/v1/questions?limit=1", headers=token)
        many_token, _ = queries(client, "/api/v1/questions?limit=7", headers=token)
        assert few_token == many_token


class TestQuestionDetail:
    def test_answers_comments_and_viewer_state(self, client, learner, other_learner, mentor):
        question = make.question(learner)
        answer = make.answer(mentor, question)
        make.comment(other_learner, "Which Django?", question=question)
        make.comment(learner, "5.2", answer=answer)
        client.force_login(other_learner)
        body = client.get(f"/api/v1/questions/{question.pk}").json()
        assert body["body"].startswith("I tried") and "<code>" in body["body_html"]
        assert body["viewer"] == {"voted": False, "following": False}
        assert [c["body_html"] for c in body["comments"]] == ["<p>Which Django?</p>\n"]
        (row,) = body["answers"]
        assert row["by_mentor"] is True and row["is_accepted"] is False
        assert row["comments"][0]["author"]["handle"] == learner.handle

    def test_query_count_is_constant_in_answers(self, client, learner, other_learner, mentor):
        question = make.question(learner)
        make.answer(mentor, question)
        url = f"/api/v1/questions/{question.pk}"
        token = bearer(other_learner)
        client.get("/api/v1/me", headers=token)  # the token's first use records it (1 UPDATE)
        few, _ = queries(client, url, headers=token)
        for n in range(5):
            answer = make.answer(other_learner if n % 2 else mentor, question)
            make.comment(learner, "Thanks!", answer=answer)
        many, response = queries(client, url, headers=token)
        assert len(response.json()["answers"]) == 6
        assert few == many

    def test_unknown_or_deleted_is_404(self, client, learner):
        question = make.question(learner)
        from discussions import services

        services.question_delete(actor=learner, question=question)
        assert client.get(f"/api/v1/questions/{question.pk}").status_code == 404
        assert client.get("/api/v1/questions/999999").status_code == 404

    def test_revisions(self, client, learner):
        from discussions import services

        question = make.question(learner)
        services.question_edit(
            editor=learner, question=question, title=question.title, body="New body here",
            category=question.category, tags="django",
        )  # fmt: skip
        rows = client.get(f"/api/v1/questions/{question.pk}/revisions").json()
        assert [r["number"] for r in rows] == [2, 1]
        assert ["+", "New body here"] in rows[0]["diff"]

    def test_answer_detail_has_its_source(self, client, learner, mentor):
        question = make.question(learner)
        answer = make.answer(mentor, question, body="Use `select_related`.")
        body = client.get(f"/api/v1/answers/{answer.pk}").json()
        assert body["body"] == "Use `select_related`." and body["question_id"] == question.pk
        assert client.get(f"/api/v1/answers/{answer.pk}/revisions").json()[0]["number"] == 1


class TestCategoriesAndTags:
    def test_lists(self, client, learner):
        make.question(learner, tags="django orm")
        assert client.get("/api/v1/categories").json() == [
            {"slug": "django", "name": "Django", "description": ""}
        ]
        assert client.get("/api/v1/tags?prefix=dj").json() == ["django"]


# --- Writes -------------------------------------------------------------------------------


def send(client, method, url, data=None, headers=None):
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


def ask(client, headers=None, **fields):
    data = {"title": "How do I squash Django migrations safely?", "body": "Details **here**.",
            "category": "django", "tags": ["django", "migrations"], **fields}  # fmt: skip
    return send(client, "post", "/api/v1/questions", data, headers)


class TestQuestionWrites:
    def test_ask_with_a_write_token(self, client, learner):
        make.category()
        response = ask(client, bearer(learner, "write"))
        assert response.status_code == 201, response.content
        body = response.json()
        assert response["Location"] == body["url"]
        assert body["author"]["handle"] == learner.handle and body["tags"] == [
            "django",
            "migrations",
        ]
        assert "<strong>here</strong>" in body["body_html"]

    def test_anonymous_read_token_and_suspended_are_refused(self, client, learner):
        from datetime import timedelta

        from django.utils import timezone

        from discussions.models import Question

        make.category()
        assert ask(client).status_code == 401
        response = ask(client, bearer(learner))
        assert response.status_code == 403 and "write" in response.json()["detail"]
        token = bearer(learner, "write")
        learner.suspended_until = timezone.now() + timedelta(days=1)
        learner.save()
        response = ask(client, token)
        assert response.status_code == 403 and "suspended" in response.json()["detail"]
        assert Question.objects.count() == 0

    @pytest.mark.parametrize(
        "extra",
        [{"author": 1}, {"score": 99}, {"is_hidden": True}, {"hidden_at": "2026-01-01T00:00:00Z"},
         {"is_pinned": True}, {"accepted_answer_id": 1}, {"answer_count": 5}, {"role": "admin"}],
    )  # fmt: skip
    def test_mass_assignment_is_refused_and_nothing_written(self, client, learner, extra):
        from discussions.models import Question

        make.category()
        response = ask(client, bearer(learner, "write"), **extra)
        assert response.status_code == 400
        (field,) = extra
        assert response.json()["errors"][field] == ["This field cannot be set here."]
        assert Question.objects.count() == 0

    def test_asked_about_a_project_as_from_its_page(self, client, learner, other_learner):
        from discussions.models import Question
        from projects.tests import factories as projects

        make.category()
        shown = projects.project(other_learner)
        draft = projects.project(other_learner, publish=False)
        headers = bearer(learner, "write")
        response = ask(client, headers, project=shown.pk)
        assert response.status_code == 201, response.content
        assert response.json()["project_id"] == shown.pk
        # Another person's draft does not exist for the asker: a 400 on the field.
        refused = ask(client, headers, project=draft.pk, title="Another question about it")
        assert refused.status_code == 400 and "project" in refused.json()["errors"]
        assert Question.objects.count() == 1

    def test_the_services_rules_are_field_errors(self, client, learner):
        make.category()
        response = ask(client, bearer(learner, "write"), title="Too short", category="nope")
        assert response.status_code == 400
        # The schema's bounds are checked with the shape: both fields at once.
        assert set(response.json()["errors"]) == {"title", "category"}
        response = ask(client, bearer(learner, "write"), title="Too short")
        assert response.status_code == 400 and "title" in response.json()["errors"]
        response = ask(client, bearer(learner, "write"), tags=["a", "b", "c", "d", "e", "f"])
        assert response.status_code == 400 and "tags" in response.json()["errors"]

    def test_malformed_json_and_wrong_media_type(self, client, learner):
        token = bearer(learner, "write")
        response = client.post("/api/v1/questions", "{nope", content_type="application/json",
                               headers=token)  # fmt: skip
        assert response.status_code == 400
        response = client.post("/api/v1/questions", "title=x", content_type="text/plain",
                               headers=token)  # fmt: skip
        assert response.status_code == 415

    def test_session_writes_need_csrf(self, learner):
        from django.test import Client

        make.category()
        client = Client(enforce_csrf_checks=True)
        client.force_login(learner)
        response = ask(client)
        assert response.status_code == 403 and "CSRF" in response.json()["detail"]

    def test_the_pages_posting_limit_counts_api_posts(self, client, learner, settings):
        settings.NEXUS_POSTING_LIMITS = {"question": {"hour": 2, "new": 2},
                                         "reply": {"hour": 2, "new": 2}}  # fmt: skip
        make.question(learner)  # one through the service the page uses
        token = bearer(learner, "write")
        assert ask(client, token).status_code == 201
        response = ask(client, token, title="A third question in the same hour here")
        assert response.status_code == 429
        assert response.json()["title"] == "Too many requests"

    def test_edit_is_partial_and_keeps_a_revision(self, client, learner):
        question = make.question(learner)
        response = send(client, "patch", f"/api/v1/questions/{question.pk}",
                        {"body": "Better body"}, bearer(learner, "write"))  # fmt: skip
        assert response.status_code == 200 and response.json()["body"] == "Better body"
        assert response.json()["title"] == question.title
        revisions = client.get(f"/api/v1/questions/{question.pk}/revisions").json()
        assert len(revisions) == 2

    def test_others_cannot_edit_or_delete(self, client, learner, other_learner):
        question = make.question(learner)
        token = bearer(other_learner, "write")
        url = f"/api/v1/questions/{question.pk}"
        assert send(client, "patch", url, {"body": "Mine now"}, token).status_code == 403
        assert send(client, "delete", url, None, token).status_code == 403
        assert client.get(url).json()["body"] == question.body

    def test_delete(self, client, learner):
        question = make.question(learner)
        url = f"/api/v1/questions/{question.pk}"
        assert send(client, "delete", url, None, bearer(learner, "write")).status_code == 204
        assert client.get(url).status_code == 404


class TestAnswersCommentsVotes:
    def test_answer_then_comment_then_edit_and_delete(self, client, learner, mentor):
        question = make.question(learner)
        token = bearer(mentor, "write")
        response = send(client, "post", f"/api/v1/questions/{question.pk}/answers",
                        {"body": "Use `squashmigrations`."}, token)  # fmt: skip
        assert response.status_code == 201
        answer = response.json()
        assert answer["by_mentor"] is True and answer["question_id"] == question.pk
        response = send(client, "post", f"/api/v1/answers/{answer['id']}/comments",
                        {"body": "Thanks!"}, bearer(learner, "write"))  # fmt: skip
        assert response.status_code == 201
        comment_url = response["Location"]
        edited = send(client, "patch", comment_url, {"body": "Thanks a lot!"},
                      bearer(learner, "write"))  # fmt: skip
        assert edited.json()["body_html"] == "<p>Thanks a lot!</p>\n"
        deleted = send(client, "delete", comment_url, None, bearer(learner, "write"))
        assert deleted.status_code == 204
        edited = send(client, "patch", answer["url"], {"body": "Edited"}, token)
        assert edited.json()["body"] == "Edited"

    def test_a_locked_question_is_409(self, client, learner, other_learner, mentor):
        question = make.question(learner)
        moderation.question_lock(actor=mentor, question=question, reason="Off-topic")
        response = send(client, "post", f"/api/v1/questions/{question.pk}/answers",
                        {"body": "Hi"}, bearer(other_learner, "write"))  # fmt: skip
        assert response.status_code == 409
        assert "locked" in response.json()["detail"]

    def test_a_hidden_question_is_404_not_403(self, client, learner, other_learner, mentor):
        question = make.question(learner)
        moderation.content_hide(actor=mentor, target=question, reason="Spam")
        token = bearer(other_learner, "write")
        for method, url, data in [
            ("post", f"/api/v1/questions/{question.pk}/answers", {"body": "x"}),
            ("put", f"/api/v1/questions/{question.pk}/vote", None),
            ("patch", f"/api/v1/questions/{question.pk}", {"body": "x"}),
        ]:
            assert send(client, method, url, data, token).status_code == 404, url

    def test_votes_are_idempotent(self, client, learner, other_learner):
        question = make.question(learner)
        answer = make.answer(learner, question)
        token = bearer(other_learner, "write")
        url = f"/api/v1/answers/{answer.pk}/vote"
        assert send(client, "put", url, None, token).json() == {"voted": True, "score": 1}
        assert send(client, "put", url, None, token).json() == {"voted": True, "score": 1}
        assert send(client, "delete", url, None, token).json() == {"voted": False, "score": 0}
        own = send(client, "put", url, None, bearer(learner, "write"))
        assert own.status_code == 403

    def test_accept_only_by_the_asker(self, client, learner, other_learner):
        question = make.question(learner)
        answer = make.answer(other_learner, question)
        url = f"/api/v1/answers/{answer.pk}/accept"
        assert send(client, "put", url, None, bearer(other_learner, "write")).status_code == 403
        token = bearer(learner, "write")
        assert send(client, "put", url, None, token).json() == {"accepted_answer_id": answer.pk}
        assert send(client, "delete", url, None, token).json() == {"accepted_answer_id": None}

    def test_follow_mute_and_watch(self, client, learner, other_learner):
        question = make.question(learner)
        token = bearer(other_learner, "write")
        base = f"/api/v1/questions/{question.pk}"
        assert send(client, "put", f"{base}/follow", None, token).json() == {"following": True}
        detail = client.get(base, headers=token).json()
        assert detail["viewer"]["following"] is True
        assert send(client, "delete", f"{base}/follow", None, token).json() == {"following": False}
        assert send(client, "put", f"{base}/mute", None, token).json() == {"muted": True}
        assert send(client, "put", "/api/v1/categories/django/watch", None, token).json() == {
            "watching": True
        }
        assert send(client, "put", "/api/v1/tags/orm/watch", None, token).json() == {
            "watching": True
        }
        assert send(client, "put", "/api/v1/tags/nope/watch", None, token).status_code == 404
