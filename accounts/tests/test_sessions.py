"""Sessions and cookies: rotation on sign-in and on role change, "sign out everywhere",
and `__Host-` cookie names over HTTPS."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Role
from accounts.tests.factories import PASSWORD
from hub.tests.test_settings import read_settings

pytestmark = pytest.mark.django_db


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_signing_in_rotates_the_session(client, learner):
    client.get(reverse("account_login"))
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _session_key(client) != before


def test_a_role_change_rotates_the_session_on_its_next_request(client, learner, admin_user):
    client.force_login(learner)
    client.get(reverse("home"))
    before = _session_key(client)
    client.get(reverse("home"))
    assert _session_key(client) == before  # nothing changed, nothing rotated
    services.user_role_set(actor=admin_user, user=learner, role=Role.MENTOR)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    after = _session_key(client)
    assert after != before
    # Still signed in, under the new key; the old key no longer opens anything.
    assert response.wsgi_request.user == learner
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert not stale.get(reverse("home")).wsgi_request.user.is_authenticated


def test_sign_out_everywhere_ends_every_session_and_revokes_tokens(learner):
    here, elsewhere = Client(), Client()
    here.force_login(learner)
    elsewhere.force_login(learner)
    token, _ = services.token_create(user=learner, name="ci", scopes=[], expires_at=None)
    page = here.get(reverse("accounts:settings"))
    assert "Sign out everywhere" in page.text
    response = here.post(reverse("accounts:sign_out_everywhere"), follow=True)
    assert "signed out everywhere and 1 API token(s) revoked" in response.text
    assert not here.get(reverse("home")).wsgi_request.user.is_authenticated
    assert not elsewhere.get(reverse("home")).wsgi_request.user.is_authenticated
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Signing in again works (a fresh session under the new hash).
    fresh = Client()
    fresh.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert fresh.get(reverse("home")).wsgi_request.user == learner


def test_sign_out_everywhere_needs_a_post(client, learner):
    client.force_login(learner)
    assert client.get(reverse("accounts:sign_out_everywhere")).status_code == 405


def test_only_yourself(learner, other_learner):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.user_sign_out_everywhere(actor=learner, user=other_learner)


COOKIE_PROBE = """
import json
from django.conf import settings
print(json.dumps([settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME,
                  settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]))
"""


def test_cookies_take_the_host_prefix_over_https():
    https = read_settings(
        COOKIE_PROBE,
        DJANGO_SECRET_KEY="a-real-secret-for-this-test-only-0123456789",
        DJANGO_ALLOWED_HOSTS="nexus.example.org",
        NEXUS_BASE_URL="https://nexus.example.org",
        DJANGO_HTTPS="true",
    )
    assert https.returncode == 0, https.stderr
    assert json.loads(https.stdout) == ["__Host-sessionid", "__Host-csrftoken", True, True]
    plain = read_settings(COOKIE_PROBE, DJANGO_DEBUG="true")
    assert json.loads(plain.stdout) == ["sessionid", "csrftoken", False, False]
