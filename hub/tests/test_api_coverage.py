"""Routes the API gained so that every action of the pages has a door here too (the
profile page, the editor's preview, "sign out everywhere"), and what every response
carries, refusals included (RateLimit-*, 413 for an over-large body)."""

import json

import pytest
from django.test import Client

from accounts import services as account_services
from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(user, *scopes):
    _, raw = account_services.token_create(
        user=user, name=f"c-{len(scopes)}-{ApiToken.objects.count()}", scopes=scopes,
        expires_at=None,
    )  # fmt: skip
    return {"Authorization": f"Bearer {raw}"}


class TestPeople:
    def test_a_public_profile_without_private_fields(self, client, learner):
        response = client.get(f"/api/v1/users/{learner.handle.upper()}")
        assert response.status_code == 200
        body = response.json()
        assert body["handle"] == learner.handle and body["role"] == "learner"
        assert body["html_url"] == f"http://testserver/u/{learner.handle}/"
        assert "email" not in body and learner.email not in response.content.decode()
        assert "suspended_until" not in body and "id" not in body

    def test_mention_suggestions_by_prefix(
        self, client, learner, mentor, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            response = client.get(f"/api/v1/users?prefix=@{learner.handle[:4].upper()}")
        assert response.status_code == 200
        assert [p["handle"] for p in response.json()] == [learner.handle]
        assert "email" not in response.content.decode()
        assert client.get("/api/v1/users").status_code == 400

    def test_unknown_and_closed_accounts_are_404(self, client, learner):
        assert client.get("/api/v1/users/nobody-here").status_code == 404
        learner.is_active = False
        learner.save(update_fields=["is_active"])
        response = client.get(f"/api/v1/users/{learner.handle}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


class TestPreview:
    def test_renders_sanitised_html_with_any_token(self, client, learner):
        response = client.post(
            "/api/v1/markdown/preview",
            {"body": "**hi** <script>alert(1)</script>"},
            content_type="application/json",
            headers=bearer(learner),  # read only: a preview writes nothing
        )
        assert response.status_code == 200, response.content
        html = response.json()["html"]
        assert "<strong>hi</strong>" in html and "<script" not in html

    def test_anonymous_is_401_and_the_rate_is_the_pages(self, client, learner, settings):
        response = client.post("/api/v1/markdown/preview", {"body": "x"},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 401
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS,
                                        "markdown_preview": "2/m/user"}  # fmt: skip
        client.force_login(learner)
        statuses = [
            client.post(
                "/api/v1/markdown/preview", {"body": "x"}, content_type="application/json"
            ).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        # The page's preview counts in the same counter.
        assert client.post("/markdown/preview", {"body": "x"}).status_code == 429


class TestSignOutEverywhere:
    def test_with_a_session_ends_sessions_and_revokes_tokens(self, client, learner):
        headers = bearer(learner, "write")
        client.force_login(learner)
        other_browser = Client()
        other_browser.force_login(learner)
        response = client.post("/api/v1/me/sign-out-everywhere")
        assert response.status_code == 200 and response.json() == {"tokens_revoked": 1}
        assert Client().get("/api/v1/me", headers=headers).status_code == 401
        assert other_browser.get("/api/v1/me").status_code == 401
        assert client.get("/api/v1/me").status_code == 401

    def test_a_token_cannot(self, client, learner):
        headers = bearer(learner, "write")
        response = client.post("/api/v1/me/sign-out-everywhere", headers=headers)
        assert response.status_code == 403
        assert client.get("/api/v1/me", headers=headers).status_code == 200


class TestEveryResponse:
    @pytest.mark.parametrize(
        ("path", "status"),
        [("/api/v1/questions", 200), ("/api/v1/questions/987654", 404),
         ("/api/v1/notifications", 401), ("/api/v1/no-such-route", 404)],
    )  # fmt: skip
    def test_refusals_carry_the_rate_limit_too(self, client, path, status):
        response = client.get(path)
        assert response.status_code == status
        assert response["RateLimit-Limit"] == "120"
        assert int(response["RateLimit-Remaining"]) < 120
        assert "RateLimit-Reset" in response

    def test_an_over_large_body_is_a_413_problem_and_writes_nothing(self, client, learner):
        from discussions.models import Question

        body = json.dumps({"title": "A question long enough", "body": "x" * 3_000_000,
                           "category": "django"})  # fmt: skip
        response = client.post("/api/v1/questions", body, content_type="application/json",
                               headers=bearer(learner, "write"))  # fmt: skip
        assert response.status_code == 413
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 413
        assert Question.objects.count() == 0
