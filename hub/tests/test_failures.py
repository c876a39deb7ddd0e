"""Clean failures: an over-large body is a 413 with one log line; every 403 is one
structured log line (hub.middleware)."""

import logging

import pytest
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.test import Client, RequestFactory
from django.urls import reverse

from hub.views import bad_request_view

pytestmark = pytest.mark.django_db

TOO_BIG = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1


def _warnings(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_over_large_form_post_is_a_413_page_and_one_line(client, learner, caplog):
    client.force_login(learner)
    with caplog.at_level(logging.INFO):
        response = client.post(
            reverse("discussions:question_ask"),
            data="body=" + "x" * TOO_BIG,
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 413
    assert "That was too much to send at once" in response.text
    assert "learner-one" in response.text  # a full page, the person still signed in
    lines = _warnings(caplog)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].name == "nexus.security" and lines[0].exc_info is None
    assert "request.too_large" in lines[0].getMessage()
    assert f"limit={settings.DATA_UPLOAD_MAX_MEMORY_SIZE}" in lines[0].getMessage()


def test_exactly_the_limit_is_not_refused_for_size(client, learner):
    client.force_login(learner)
    response = client.post(
        reverse("discussions:question_ask"),
        data="body=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 5),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code != 413


def test_an_over_large_api_body_is_problem_details(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.post(
            "/api/v1/me", data="{" + " " * TOO_BIG + "}", content_type="application/json"
        )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 413 and body["type"].endswith("/api/v1/problems/too-large")
    assert "too large" in body["detail"]
    assert len(_warnings(caplog)) == 1


def test_a_body_found_too_big_while_parsing_is_the_same_413(learner):
    request = RequestFactory().post("/q/ask")
    request.user = learner
    response = bad_request_view(request, RequestDataTooBig("too big"))
    assert response.status_code == 413


def test_a_refused_page_is_one_structured_line(client, learner, caplog):
    client.force_login(learner)
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("moderation:queue"))
    assert response.status_code == 403
    lines = _warnings(caplog)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    message = lines[0].getMessage()
    assert message.startswith("access.denied ")
    assert f"user={learner.pk} handle=learner-one method=GET path=/mod/ door=page" in message
    assert "ip=127.0.0.1 status=403 reason=" in message


def test_a_csrf_failure_is_one_line_and_a_friendly_page(learner, caplog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("accounts:settings"), {"display_name": "x"})
    assert response.status_code == 403
    assert "Reload and try again" in response.text
    lines = _warnings(caplog)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert 'reason="csrf: CSRF cookie not set."' in lines[0].getMessage()


def test_an_api_refusal_is_one_line_naming_the_door(learner, caplog):
    """A session POST without its CSRF token: DRF refuses it with 403 problem details."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    with caplog.at_level(logging.INFO):
        response = client.post("/api/v1/me", {}, content_type="application/json")
    assert response.status_code == 403
    lines = _warnings(caplog)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    message = lines[0].getMessage()
    assert f"user={learner.pk}" in message and "door=api" in message and "CSRF" in message
