"""The layout's promises: CSP with no inline script, styled error pages, GitHub login
only when configured."""

import re

import pytest
from django.test import RequestFactory

from hub.views import server_error_view

pytestmark = pytest.mark.django_db


def test_pages_send_a_strict_content_security_policy(client, learner):
    client.force_login(learner)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/questions/"])
def test_no_inline_script_or_style_attribute(client, path):
    html = client.get(path).text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "htmx and our JS are loaded"
    assert all("src=" in tag for tag in scripts), scripts
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert 'hx-ext="ws"' in html and 'ws-connect="/ws/live/?topics=' in html
    assert "X-CSRFToken" in html


def test_404_is_styled(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "site-header" in response.text and "Back to the home page" in response.text


def test_404_under_make_run_is_styled_with_a_developer_hint(client, settings):
    """`make run` turns DEBUG on: a 404 is still the styled page, with a hint, unless a
    developer asks for Django's technical page (NEXUS_TECHNICAL_404)."""
    settings.DEBUG = True
    unmatched = client.get("/no/such/page/")
    assert unmatched.status_code == 404
    assert "Back to the home page" in unmatched.text and "Developer hint" in unmatched.text
    assert "No URL pattern matches" in unmatched.text and "NEXUS_TECHNICAL_404" in unmatched.text
    assert "URLconf" not in unmatched.text  # not the technical page
    from_a_view = client.get("/q/999999/gone/")
    assert from_a_view.status_code == 404 and "Developer hint" in from_a_view.text
    assert client.get("/questions").status_code == 301  # APPEND_SLASH still redirects

    settings.NEXUS_TECHNICAL_404 = True
    technical = client.get("/no/such/page/")
    assert technical.status_code == 404 and "URLconf" in technical.text


def test_404_without_debug_has_no_developer_hint(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "Developer hint" not in response.text


def test_403_explains(client, learner, other_learner):
    from discussions.tests import factories as make

    question = make.question(learner)
    client.force_login(other_learner)
    response = client.post(f"/q/{question.pk}/delete", HTTP_REFERER="http://testserver/")
    assert response.status_code == 302  # refusals come back as a message
    assert "only delete your own" in client.get("/").text


def test_500_page_needs_nothing_but_a_template():
    response = server_error_view(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "nexus.css" in response.content.decode()
