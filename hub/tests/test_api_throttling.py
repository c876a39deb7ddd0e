"""API request limits: RateLimit-* on every response, 429 with Retry-After, per account
and per client address (behind a configured number of proxies)."""

import pytest

pytestmark = pytest.mark.django_db


def test_every_response_carries_the_rate_limit(client):
    response = client.get("/api/v1/categories")
    assert response["RateLimit-Limit"] == "120"
    assert response["RateLimit-Remaining"] == "119"
    assert 0 <= int(response["RateLimit-Reset"]) <= 60
    assert client.get("/api/v1/categories")["RateLimit-Remaining"] == "118"


def test_over_the_limit_is_429_with_retry_after(client, settings):
    settings.NEXUS_API_RATES = {"user": "5/min", "anon": "2/min"}
    assert client.get("/api/v1/categories").status_code == 200
    assert client.get("/api/v1/categories").status_code == 200
    response = client.get("/api/v1/categories")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["RateLimit-Remaining"] == "0"


def test_accounts_are_counted_apart_from_their_address(client, settings, learner):
    settings.NEXUS_API_RATES = {"user": "5/min", "anon": "1/min"}
    assert client.get("/api/v1/categories").status_code == 200
    assert client.get("/api/v1/categories").status_code == 429
    client.force_login(learner)
    response = client.get("/api/v1/categories")
    assert response.status_code == 200 and response["RateLimit-Limit"] == "5"


def test_the_client_address_comes_from_the_trusted_proxy(client, settings):
    settings.NEXUS_API_RATES = {"user": "5/min", "anon": "1/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    one = {"X-Forwarded-For": "203.0.113.7"}
    two = {"X-Forwarded-For": "203.0.113.8"}
    assert client.get("/api/v1/categories", headers=one).status_code == 200
    assert client.get("/api/v1/categories", headers=one).status_code == 429
    assert client.get("/api/v1/categories", headers=two).status_code == 200
    # A forged leftmost address does not buy a fresh counter: the proxy appended the real one.
    forged = {"X-Forwarded-For": "198.51.100.1, 203.0.113.8"}
    assert client.get("/api/v1/categories", headers=forged).status_code == 429
