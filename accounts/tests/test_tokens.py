"""Personal access tokens: the services, the selector, the permission, the settings page
and the API's authentication with them."""

import logging
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.models import ApiToken, Role, token_digest
from accounts.permissions import token_allows


def make(user, *scopes, name="client", expires_at=None):
    return services.token_create(user=user, name=name, scopes=scopes, expires_at=expires_at)


@pytest.mark.django_db
class TestTokenCreate:
    def test_stores_only_a_digest_and_returns_the_secret_once(self, learner):
        token, raw = make(learner, "write")
        assert raw.startswith("nxs_") and len(raw) > 40
        stored = ApiToken.objects.get(pk=token.pk)
        assert stored.digest == token_digest(raw) and raw not in stored.digest
        assert raw.startswith(stored.prefix) and len(stored.prefix) < len(raw) / 3
        assert stored.scopes == ["read", "write"]

    def test_every_token_reads(self, learner):
        token, _ = make(learner)
        assert token.scopes == ["read"]

    def test_moderate_only_for_mentors(self, learner, mentor, admin_user):
        with pytest.raises(ValidationError) as error:
            make(learner, "moderate")
        assert "mentors" in error.value.message_dict["scopes"][0]
        assert make(mentor, "moderate")[0].scopes == ["read", "moderate"]
        assert make(admin_user, "write", "moderate")[0].scopes == ["read", "write", "moderate"]
        assert not ApiToken.objects.filter(user=learner).exists()

    @pytest.mark.parametrize(
        ("name", "scopes", "field"),
        [("", (), "name"), ("x" * 61, (), "name"), ("ok", ("admin",), "scopes")],
    )
    def test_bad_input_is_a_field_error(self, learner, name, scopes, field):
        with pytest.raises(ValidationError) as error:
            make(learner, *scopes, name=name)
        assert field in error.value.message_dict
        assert ApiToken.objects.count() == 0

    def test_expiry_in_the_past_is_refused(self, learner):
        with pytest.raises(ValidationError) as error:
            make(learner, expires_at=timezone.now() - timedelta(minutes=1))
        assert "expires_at" in error.value.message_dict

    def test_names_are_unique_among_live_tokens(self, learner, other_learner):
        token, _ = make(learner)
        with pytest.raises(ValidationError):
            make(learner)
        make(other_learner)  # another person's names do not count
        services.token_revoke(actor=learner, token=token)
        make(learner)  # a revoked token's name is free again

    def test_at_most_twenty_live_tokens(self, learner):
        for n in range(services.TOKENS_PER_USER):
            make(learner, name=f"t{n}")
        with pytest.raises(PermissionDenied, match="revoke one"):
            make(learner, name="one too many")

    def test_is_logged_without_the_secret(self, learner, caplog):
        with caplog.at_level(logging.INFO, logger="nexus.accounts.tokens"):
            token, raw = make(learner, "write")
            services.token_revoke(actor=learner, token=token)
        text = caplog.text
        assert f"token created id={token.pk} user={learner.pk} scopes=read,write" in text
        assert f"token revoked id={token.pk} user={learner.pk} by={learner.pk}" in text
        assert raw not in text and token.digest not in text


@pytest.mark.django_db
class TestTokenRevokeAndAuthenticate:
    def test_a_live_token_authenticates_in_one_query(self, learner, django_assert_num_queries):
        token, raw = make(learner)
        with django_assert_num_queries(1):
            found = selectors.token_authenticate(raw)
            assert found.user.handle == learner.handle  # owner loaded with it
        assert found == token

    @pytest.mark.parametrize("raw", ["", "nxs_", "nxs_nope", "x" * 500, "Bearer nxs_x"])
    def test_unknown_secrets_find_nothing(self, learner, raw):
        make(learner)
        assert selectors.token_authenticate(raw) is None

    def test_revoked_expired_or_deactivated_finds_nothing(self, learner, other_learner):
        revoked, raw_revoked = make(learner, name="a")
        services.token_revoke(actor=learner, token=revoked)
        expired, raw_expired = make(learner, name="b", expires_at=timezone.now() + timedelta(1))
        ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
        _, raw_inactive = make(other_learner)
        other_learner.is_active = False
        other_learner.save()
        for raw in (raw_revoked, raw_expired, raw_inactive):
            assert selectors.token_authenticate(raw) is None

    def test_only_the_owner_or_an_admin_revokes(self, learner, other_learner, admin_user):
        token, _ = make(learner)
        with pytest.raises(PermissionDenied):
            services.token_revoke(actor=other_learner, token=token)
        assert ApiToken.objects.get(pk=token.pk).revoked_at is None
        services.token_revoke(actor=admin_user, token=token)
        first = ApiToken.objects.get(pk=token.pk).revoked_at
        assert first is not None
        services.token_revoke(actor=learner, token=token)  # twice changes nothing
        assert ApiToken.objects.get(pk=token.pk).revoked_at == first

    def test_touch_writes_at_most_once_a_minute(self, learner, django_assert_num_queries):
        token, _ = make(learner)
        with django_assert_num_queries(1):
            services.token_touch(token=token)
        with django_assert_num_queries(0):
            services.token_touch(token=token)
        ApiToken.objects.filter(pk=token.pk).update(
            last_used_at=timezone.now() - timedelta(minutes=2)
        )
        token.refresh_from_db()
        with django_assert_num_queries(1):
            services.token_touch(token=token)


@pytest.mark.django_db
class TestTokenAllows:
    def test_scopes_are_a_ceiling(self, learner):
        token, _ = make(learner)
        assert token_allows(token, "read")
        assert not token_allows(token, "write")
        assert not token_allows(token, "moderate")
        assert not token_allows(None, "read")

    def test_a_demoted_mentor_loses_moderate_at_once(self, mentor, admin_user):
        token, _ = make(mentor, "write", "moderate")
        assert token_allows(token, "moderate")
        services.user_role_set(actor=admin_user, user=mentor, role=Role.LEARNER)
        token = ApiToken.objects.select_related("user").get(pk=token.pk)
        assert not token_allows(token, "moderate")
        assert token_allows(token, "write") and token_allows(token, "read")

    def test_a_suspended_account_only_reads(self, mentor):
        token, _ = make(mentor, "write", "moderate")
        mentor.suspended_until = timezone.now() + timedelta(days=1)
        mentor.save()
        token.refresh_from_db()
        assert token_allows(token, "read")
        assert not token_allows(token, "write")
        assert not token_allows(token, "moderate")

    def test_revoked_or_expired_allows_nothing(self, learner):
        token, _ = make(learner, "write")
        token.revoked_at = timezone.now()
        assert not token_allows(token, "read")
        token.revoked_at, token.expires_at = None, timezone.now()
        assert not token_allows(token, "read")


@pytest.mark.django_db
class TestTokensPage:
    url = "/settings/tokens/"

    def test_needs_login(self, client):
        response = client.get(self.url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]

    def test_make_a_token_shows_it_once(self, client, learner):
        client.force_login(learner)
        response = client.post(
            self.url, {"name": "my app", "scopes": ["write"], "expires_in": "30"}
        )
        assert response.status_code == 201
        token = ApiToken.objects.get(user=learner)
        raw = response.context["new_token"]
        assert token.digest == token_digest(raw)
        assert raw in response.text and "only time it is shown" in response.text
        assert "no-store" in response["Cache-Control"]
        assert token.scopes == ["read", "write"]
        assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
        page = client.get(self.url)
        assert raw not in page.text
        assert "my app" in page.text and token.prefix in page.text
        assert "/api/v1/docs/" in page.text  # the link to the docs

    def test_learners_are_not_offered_moderate(self, client, learner, mentor):
        client.force_login(learner)
        assert 'value="moderate"' not in client.get(self.url).text
        response = client.post(self.url, {"name": "x", "scopes": ["moderate"], "expires_in": ""})
        assert response.status_code == 400 and not ApiToken.objects.exists()
        client.force_login(mentor)
        assert 'value="moderate"' in client.get(self.url).text

    def test_bad_input_is_a_form_error(self, client, learner):
        client.force_login(learner)
        make(learner, name="taken")
        response = client.post(self.url, {"name": "taken", "expires_in": "90"})
        assert response.status_code == 400
        assert "already have a token with that name" in response.text
        assert ApiToken.objects.count() == 1

    def test_revoke_own_token_and_404_for_anothers(self, client, learner, other_learner):
        mine, _ = make(learner)
        theirs, _ = make(other_learner)
        client.force_login(learner)
        response = client.post(f"/settings/tokens/{mine.pk}/revoke", follow=True)
        assert response.status_code == 200 and "is revoked" in response.text
        assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None
        assert client.post(f"/settings/tokens/{theirs.pk}/revoke").status_code == 404
        assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
        assert client.get(f"/settings/tokens/{mine.pk}/revoke").status_code == 405


@pytest.mark.django_db
class TestApiAuthentication:
    def test_bearer_token_is_the_account(self, client, learner):
        token, raw = make(learner)
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 200
        assert response.json()["handle"] == learner.handle
        assert ApiToken.objects.get(pk=token.pk).last_used_at is not None

    @pytest.mark.parametrize("header", ["Bearer nxs_nope", "Bearer", "Bearer a b", "Bearer é"])
    def test_a_bad_token_is_401_problem(self, client, learner, header):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")
        body = response.json()
        assert body["status"] == 401 and body["title"] == "Authentication required"
        assert body["type"].endswith("/api/v1/problems/unauthenticated")

    def test_revoked_token_stops_working_at_once(self, client, learner):
        token, raw = make(learner)
        headers = {"Authorization": f"Bearer {raw}"}
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        services.token_revoke(actor=learner, token=token)
        assert client.get("/api/v1/me", headers=headers).status_code == 401

    def test_anonymous_is_401_with_a_challenge(self, client):
        response = client.get("/api/v1/me")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_session_works_too(self, client, learner):
        client.force_login(learner)
        assert client.get("/api/v1/me").json()["handle"] == learner.handle

    def test_token_scope_is_enforced_on_writes(self, client, learner):
        _, raw = make(learner)  # read only
        response = client.post(
            "/api/v1/me", {}, content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )  # fmt: skip
        assert response.status_code == 403
        assert "lacks the `write` scope" in response.json()["detail"]


@pytest.mark.django_db
class TestMeApi:
    def test_edit_profile_and_refuse_role(self, client, learner):
        _, raw = make(learner, "write")
        headers = {"Authorization": f"Bearer {raw}"}
        response = client.patch("/api/v1/me", {"bio": "Building APIs"},
                                content_type="application/json", headers=headers)  # fmt: skip
        assert response.status_code == 200 and response.json()["bio"] == "Building APIs"
        for field, value in [("role", "admin"), ("email", "x@y.z"), ("suspended_until", None)]:
            refused = client.patch("/api/v1/me", {field: value},
                                   content_type="application/json", headers=headers)  # fmt: skip
            assert refused.status_code == 400 and field in refused.json()["errors"]
        learner.refresh_from_db()
        assert learner.role == "learner" and learner.email != "x@y.z"
        bad = client.patch("/api/v1/me", {"website": "javascript:alert(1)"},
                           content_type="application/json", headers=headers)  # fmt: skip
        assert bad.status_code == 400 and "website" in bad.json()["errors"]
