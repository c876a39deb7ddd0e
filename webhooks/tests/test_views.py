"""The settings pages: add (the secret once), edit, rotate, delete, the delivery log and a
Redeliver button that works without JavaScript and sends once when pressed twice. Every
page is the owner's alone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from discussions.tests import factories as forum
from webhooks.models import Delivery, DeliveryState, Webhook
from webhooks.tests.conftest import RECEIVER_HOST
from webhooks.tests.factories import webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_learner(client, learner):
    client.force_login(learner)
    return client


def test_add_shows_the_secret_once_and_never_caches_it(as_learner, learner):
    response = as_learner.post(
        reverse("webhooks:list"),
        {"url": "https://hooks.example.com/in", "events": ["answer.created"], "active": "on"},
    )
    assert response.status_code == 201
    hook = Webhook.objects.get()
    assert hook.owner == learner and hook.events == ["answer.created"]
    assert hook.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    again = as_learner.get(reverse("webhooks:list"))
    assert hook.secret not in again.content.decode()
    assert "https://hooks.example.com/in" in again.content.decode()


def test_a_refused_url_is_a_form_error(as_learner):
    response = as_learner.post(
        reverse("webhooks:list"), {"url": "http://169.254.169.254/", "events": ["answer.created"]}
    )
    assert response.status_code == 400
    assert "not an IP address" in response.content.decode()
    assert not Webhook.objects.exists()


def test_edit_rotate_and_delete(as_learner, learner):
    hook = webhook(learner, "https://a.example.com/")
    url = reverse("webhooks:detail", args=[hook.pk])
    response = as_learner.post(
        url, {"url": "https://b.example.com/", "events": ["review.submitted"]}
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert hook.url == "https://b.example.com/" and not hook.active
    old = hook.secret
    response = as_learner.post(reverse("webhooks:secret_rotate", args=[hook.pk]))
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret in response.content.decode()
    as_learner.post(reverse("webhooks:delete", args=[hook.pk]))
    assert not Webhook.objects.exists()


def test_someone_elses_webhook_is_404_everywhere(client, learner, other_learner):
    hook = webhook(learner, "https://a.example.com/")
    forum.answer(other_learner, forum.question(learner))
    delivery = Delivery.objects.get()
    client.force_login(other_learner)
    for method, url in [
        ("get", reverse("webhooks:detail", args=[hook.pk])),
        ("post", reverse("webhooks:detail", args=[hook.pk])),
        ("post", reverse("webhooks:secret_rotate", args=[hook.pk])),
        ("post", reverse("webhooks:delete", args=[hook.pk])),
        ("post", reverse("webhooks:redeliver", args=[hook.pk, delivery.pk])),
    ]:
        assert getattr(client, method)(url).status_code == 404
    assert Webhook.objects.filter(pk=hook.pk, secret=hook.secret).exists()


def test_redeliver_pressed_twice_without_js_with_csrf_sends_once(
    learner, other_learner, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [410]
    hook = webhook(learner, receiver.url(RECEIVER_HOST))
    question = forum.question(learner)
    with django_capture_on_commit_callbacks(execute=True):
        forum.answer(other_learner, question)
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    page = client.get(reverse("webhooks:detail", args=[hook.pk]))
    html = page.content.decode()
    delivery = Delivery.objects.get()
    assert "Redeliver" in html and delivery.state == DeliveryState.FAILED
    token = page.context["csrf_token"]
    form = {"csrfmiddlewaretoken": str(token), "attempts": str(delivery.attempts)}
    url = reverse("webhooks:redeliver", args=[hook.pk, delivery.pk])
    for _press in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, form)
        assert response.status_code == 302
    assert [r.status for r in receiver.requests] == [410, 200]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.attempts == 2
    assert client.post(url, {"attempts": "2"}).status_code == 403  # no CSRF token


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_log_pages_take_the_same_queries_for_more_rows(as_learner, learner, mentor):
    first = webhook(learner, "https://a0.example.com/")
    question = forum.question(learner)
    forum.answer(mentor, question)
    list_url = reverse("webhooks:list")
    log_url = reverse("webhooks:detail", args=[first.pk])
    few = (_queries(as_learner, list_url), _queries(as_learner, log_url))
    for n in range(1, 5):
        webhook(learner, f"https://a{n}.example.com/")
    for _ in range(6):
        forum.answer(mentor, question)
    assert first.deliveries.count() == 7
    many = (_queries(as_learner, list_url), _queries(as_learner, log_url))
    print(f"\nqueries: list {few[0]} -> {many[0]}, log {few[1]} -> {many[1]}")
    assert many == few


def test_one_shown_once_box_and_one_delivery_log_include(client, learner, other_learner):
    """The webhook pages and the API tokens page show a new secret through the same
    include (includes/shown_once.html); the log is webhooks/_delivery_log.html, whose
    Redeliver forms carry the CSRF token."""
    client.force_login(learner)
    made = client.post(
        reverse("webhooks:list"),
        {"url": "https://a.example.com/", "events": ["answer.created"], "active": "on"},
    )
    hook = Webhook.objects.get()
    rotated = client.post(reverse("webhooks:secret_rotate", args=[hook.pk]))
    token = client.post(
        reverse("accounts:tokens"), {"name": "my app", "scopes": ["write"], "expires_in": "30"}
    )
    for response, box, secret in (
        (made, "new-secret", made.context["new_secret"]),
        (rotated, "new-secret", rotated.context["new_secret"]),
        (token, "new-token", token.context["new_token"]),
    ):
        assert "includes/shown_once.html" in [t.name for t in response.templates]
        html = response.content.decode()
        assert f'<div class="alert alert--success" role="status" id="{box}">' in html
        assert f'<code class="token-secret" data-testid="{box}">{secret}</code>' in html
        assert "This is the only time it is shown." in html
    assert f"Authorization: Bearer {token.context['new_token'][:10]}…" in token.content.decode()
    assert "Authorization: Bearer" not in made.content.decode()

    forum.answer(other_learner, forum.question(learner))
    assert Delivery.objects.update(state=DeliveryState.FAILED, attempts=1) == 1
    page = client.get(reverse("webhooks:detail", args=[hook.pk]))
    assert "webhooks/_delivery_log.html" in [t.name for t in page.templates]
    html = page.content.decode()
    log = html[html.index('id="delivery-log"') :]
    form = log[log.index("<form") : log.index("</form>")]
    assert 'name="csrfmiddlewaretoken"' in form and 'name="attempts" value="1"' in form
