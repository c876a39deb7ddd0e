"""Signing in with the cache (Redis) down: allauth's rate limits fall back per action
(accounts/ratelimits.py, decision 0009) instead of answering 500."""

import logging

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts import ratelimits
from accounts.tests.factories import PASSWORD
from accounts.tests.test_auth_flows import STRONG, signup

DEAD_CACHE = {
    "default": {
        "BACKEND": "hub.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def cache_down():
    tolerant = allauth_ratelimit.cache
    assert isinstance(tolerant, ratelimits.OutageTolerantCache)  # allauth still reads it here
    tolerant.local.clear()
    tolerant.down_until = 0.0
    tolerant.logged_at = float("-inf")
    with override_settings(CACHES=DEAD_CACHE):
        yield tolerant
    tolerant.local.clear()
    tolerant.down_until = 0.0


@pytest.mark.django_db
def test_signing_in_works_with_the_cache_down_and_is_logged_once(
    cache_down, client, learner, caplog
):
    caplog.set_level(logging.WARNING, logger="accounts.ratelimits")
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(learner.pk)
    client.logout()
    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert len([r for r in caplog.records if r.name == "accounts.ratelimits"]) == 1


@pytest.mark.django_db
def test_failed_sign_ins_are_still_limited_in_process_memory(cache_down, client, learner):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": learner.email, "password": "no"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})

    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_VERIFICATION="optional")
def test_signing_up_works_with_the_cache_down(cache_down, client):
    response = signup(client, password1=STRONG, password2=STRONG)

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_password_reset_mail_is_refused_while_the_cache_is_down(cache_down, client, learner):
    response = client.post(reverse("account_reset_password"), {"email": learner.email})

    assert response.status_code == 429
    assert b"try again" in response.content
    assert mail.outbox == []


@pytest.mark.django_db
def test_with_the_cache_back_the_shared_counter_is_used_again(client, learner):
    tolerant = allauth_ratelimit.cache
    tolerant.down_until = 0.0
    response = client.post(reverse("account_reset_password"), {"email": learner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert not list(tolerant.local._cache)


def test_policies_are_read_from_the_key():
    assert (
        ratelimits.policy_for("allauth:rl:allauth.account:reset_password:20/60/ip:ip:1.2.3.4")
        == "closed"
    )
    assert (
        ratelimits.policy_for("allauth:rl:allauth.account:login_failed:5/300/key:ab:lock")
        == "local"
    )
    assert ratelimits.policy_for("something-else") == "local"
