"""/api/v1/me/tokens: your personal access tokens through the API (docs/api.md, 0010)."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken, Role

pytestmark = pytest.mark.django_db

LIST = "/api/v1/me/tokens"


def make(user, *scopes, name="client"):
    return services.token_create(user=user, name=name, scopes=scopes, expires_at=None)


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


class TestList:
    def test_lists_yours_without_secrets(self, client, learner, other_learner):
        token, raw = make(learner, "write")
        make(other_learner, name="theirs")
        client.force_login(learner)
        response = client.get(LIST)
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("private")
        [row] = response.json()
        assert row["id"] == token.pk and row["name"] == "client"
        assert row["scopes"] == ["read", "write"] and row["prefix"] == token.prefix
        assert row["last_used_at"] is None and row["expires_at"] is None
        assert row["is_usable"] is True and row["is_current"] is False
        assert "secret" not in row and raw not in response.content.decode()
        assert token.digest not in response.content.decode()

    def test_any_token_lists_and_knows_itself(self, client, learner):
        _, raw = make(learner)  # read only
        response = client.get(LIST, headers=bearer(raw))
        assert response.status_code == 200
        [row] = response.json()
        assert row["is_current"] is True and row["last_used_at"] is not None

    def test_anonymous_is_401(self, client):
        response = client.get(LIST)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


class TestCreate:
    def test_session_makes_a_token_shown_once(self, client, learner):
        client.force_login(learner)
        response = client.post(LIST, {"name": "cli", "scopes": ["write"]},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 201, response.content
        assert response["Cache-Control"] == "no-store"
        body = response.json()
        raw = body["secret"]
        assert raw.startswith("nxs_") and body["scopes"] == ["read", "write"]
        stored = ApiToken.objects.get(pk=body["id"])
        assert stored.user == learner and raw not in stored.digest
        # 90 days by default, as on the settings page.
        assert abs(stored.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
        # It works, and the secret is never shown again: not in the list, not in one token.
        assert Client().get("/api/v1/me", headers=bearer(raw)).json()["id"] == learner.pk
        assert raw not in client.get(LIST).content.decode()
        assert raw not in client.get(f"{LIST}/{stored.pk}").content.decode()

    def test_never_expiring_and_a_chosen_expiry(self, client, learner):
        client.force_login(learner)
        never = client.post(LIST, {"name": "a", "expires_at": None},
                            content_type="application/json")  # fmt: skip
        assert never.status_code == 201 and never.json()["expires_at"] is None
        past = client.post(LIST, {"name": "b", "expires_at": "2001-01-01T00:00:00Z"},
                           content_type="application/json")  # fmt: skip
        assert past.status_code == 400 and "expires_at" in past.json()["errors"]

    def test_a_learner_cannot_make_a_moderate_token(self, client, learner):
        client.force_login(learner)
        response = client.post(LIST, {"name": "mod", "scopes": ["moderate"]},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 400 and "scopes" in response.json()["errors"]
        assert ApiToken.objects.count() == 0

    def test_a_mentor_can(self, client, mentor):
        client.force_login(mentor)
        response = client.post(LIST, {"name": "mod", "scopes": ["write", "moderate"]},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 201
        assert response.json()["scopes"] == ["read", "write", "moderate"]

    @pytest.mark.parametrize("scopes", [("read",), ("read", "write")])
    def test_a_token_never_mints_a_token(self, client, mentor, scopes):
        _, raw = make(mentor, *scopes, "moderate")
        response = client.post(LIST, {"name": "child"}, content_type="application/json",
                               headers=bearer(raw))  # fmt: skip
        assert response.status_code == 403
        assert ApiToken.objects.filter(user=mentor).count() == 1

    def test_mass_assignment_is_refused(self, client, learner, other_learner):
        client.force_login(learner)
        for field, value in [("user", other_learner.pk), ("digest", "x" * 64),
                             ("revoked_at", None), ("prefix", "nxs_me")]:  # fmt: skip
            response = client.post(LIST, {"name": "n", field: value},
                                   content_type="application/json")  # fmt: skip
            assert response.status_code == 400 and field in response.json()["errors"]
        assert ApiToken.objects.count() == 0

    def test_duplicate_names_and_bad_shapes_are_400(self, client, learner):
        make(learner, name="same")
        client.force_login(learner)
        bodies = [{"name": "same"}, {"name": ""}, {"name": "x" * 61},
                  {"name": "s", "scopes": ["admin"]}, {"name": "s", "scopes": "write"}]  # fmt: skip
        for body in bodies:
            response = client.post(LIST, body, content_type="application/json")
            assert response.status_code == 400, body
            assert response["Content-Type"] == "application/problem+json"
        assert ApiToken.objects.count() == 1

    def test_creation_and_revocation_are_logged_without_the_secret(self, client, learner, caplog):
        client.force_login(learner)
        with caplog.at_level(logging.INFO, logger="nexus.accounts.tokens"):
            body = client.post(LIST, {"name": "log"}, content_type="application/json").json()
            client.post(f"{LIST}/{body['id']}/revoke")
        text = caplog.text
        assert f"token created id={body['id']} user={learner.pk} scopes=read" in text
        assert f"token revoked id={body['id']} user={learner.pk} by={learner.pk}" in text
        assert body["secret"] not in text


class TestRevoke:
    def test_session_revokes_and_the_token_stops(self, client, learner):
        token, raw = make(learner)
        client.force_login(learner)
        response = client.post(f"{LIST}/{token.pk}/revoke")
        assert response.status_code == 200
        assert response.json()["revoked_at"] is not None
        assert response.json()["is_usable"] is False
        assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401
        # Twice changes nothing.
        assert client.post(f"{LIST}/{token.pk}/revoke").status_code == 200

    def test_a_token_revokes_itself_even_read_only(self, client, learner):
        token, raw = make(learner)
        response = client.post(f"{LIST}/{token.pk}/revoke", headers=bearer(raw))
        assert response.status_code == 200
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_a_token_cannot_revoke_another(self, client, learner):
        other, _ = make(learner, name="other")
        _, raw = make(learner, "write", name="mine")
        response = client.post(f"{LIST}/{other.pk}/revoke", headers=bearer(raw))
        assert response.status_code == 403
        other.refresh_from_db()
        assert other.revoked_at is None

    def test_a_suspended_accounts_token_may_still_revoke_itself(self, client, learner):
        token, raw = make(learner, "write")
        learner.suspended_until = timezone.now() + timedelta(days=1)
        learner.save(update_fields=["suspended_until"])
        assert client.post(f"{LIST}/{token.pk}/revoke", headers=bearer(raw)).status_code == 200


class TestIdor:
    """Another person's token id is a 404 (not a 403) for every route, and changes nothing."""

    @pytest.mark.parametrize("as_admin", [False, True])
    def test_another_persons_token_is_404(self, client, learner, other_learner, as_admin):
        theirs, _ = make(other_learner)
        if as_admin:
            learner.role = Role.ADMIN
            learner.save(update_fields=["role"])
        client.force_login(learner)
        assert client.get(f"{LIST}/{theirs.pk}").status_code == 404
        assert client.post(f"{LIST}/{theirs.pk}/revoke").status_code == 404
        _, raw = make(learner, "write")
        assert client.post(f"{LIST}/{theirs.pk}/revoke", headers=bearer(raw)).status_code == 404
        assert client.get(f"{LIST}/999999").status_code == 404
        theirs.refresh_from_db()
        assert theirs.revoked_at is None
