"""/api/v1/webhooks: the owner's webhooks and deliveries, problem+json refusals, 404 for
anyone else's, and list endpoints whose query count does not grow with rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions.tests import factories as forum
from webhooks.models import Delivery, DeliveryState, Webhook
from webhooks.tests.conftest import RECEIVER_HOST
from webhooks.tests.factories import webhook

pytestmark = pytest.mark.django_db

API = "/api/v1/webhooks"


@pytest.fixture
def api(client, learner):
    client.force_login(learner)
    return client


def test_create_returns_the_secret_once(api, learner):
    response = api.post(
        API,
        {"url": "https://hooks.example.com/in", "events": ["answer.created"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    hook = Webhook.objects.get()
    assert body["secret"] == hook.secret and body["events"] == ["answer.created"]
    listed = api.get(API).json()
    assert [item["id"] for item in listed] == [hook.pk]
    assert "secret" not in listed[0]
    assert "secret" not in api.get(f"{API}/{hook.pk}").json()


def test_refusals_are_problem_json(api):
    response = api.post(
        API,
        {"url": "http://127.0.0.1:8000/", "events": ["answer.created"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "url" in str(response.json())
    unknown = api.post(
        API,
        {"url": "https://a.example.com/", "events": ["answer.created"], "owner": 1},
        content_type="application/json",
    )
    assert unknown.status_code == 400


def test_edit_rotate_delete(api, learner):
    hook = webhook(learner, "https://a.example.com/")
    edited = api.patch(f"{API}/{hook.pk}", {"active": False}, content_type="application/json")
    assert edited.status_code == 200 and edited.json()["active"] is False
    rotated = api.post(f"{API}/{hook.pk}/secret")
    hook.refresh_from_db()
    assert rotated.json()["secret"] == hook.secret
    assert api.delete(f"{API}/{hook.pk}").status_code == 204
    assert not Webhook.objects.exists()


def test_anyone_elses_webhook_is_404(client, learner, other_learner):
    hook = webhook(learner, "https://a.example.com/")
    forum.answer(other_learner, forum.question(learner))
    delivery = Delivery.objects.get()
    client.force_login(other_learner)
    assert client.get(API).json() == []
    assert client.get(f"{API}/{hook.pk}").status_code == 404
    assert client.patch(f"{API}/{hook.pk}", {}, content_type="application/json").status_code == 404
    assert client.delete(f"{API}/{hook.pk}").status_code == 404
    assert client.post(f"{API}/{hook.pk}/secret").status_code == 404
    assert client.get(f"{API}/{hook.pk}/deliveries").status_code == 404
    redeliver = f"{API}/{hook.pk}/deliveries/{delivery.pk}/redeliver"
    assert client.post(redeliver, {}, content_type="application/json").status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_anonymous_is_refused(client):
    assert client.get(API).status_code in (401, 403)


def test_redeliver_twice_queues_once(
    api, learner, mentor, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [410]  # gone: not retried, so finished at once
    hook = webhook(learner, receiver.url(RECEIVER_HOST))
    question = forum.question(learner)
    with django_capture_on_commit_callbacks(execute=True):
        forum.answer(mentor, question)
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED
    url = f"{API}/{hook.pk}/deliveries/{delivery.pk}/redeliver"
    results = []
    for _press in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                url, {"attempts": delivery.attempts}, content_type="application/json"
            )
        results.append((response.status_code, response.json()["queued"]))
    assert results == [(202, True), (202, False)]
    assert receiver.successes == 1
    log = api.get(f"{API}/{hook.pk}/deliveries").json()
    assert log[0]["state"] == "succeeded" and log[0]["attempts"] == 2


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_lists_do_not_grow_in_queries(api, learner, mentor):
    first = webhook(learner, "https://a0.example.com/")
    question = forum.question(learner)
    forum.answer(mentor, question)
    urls = (API, f"{API}/{first.pk}/deliveries")
    few = [_queries(api, url) for url in urls]
    for n in range(1, 4):
        webhook(learner, f"https://a{n}.example.com/")
    for _ in range(5):
        forum.answer(mentor, question)
    many = [_queries(api, url) for url in urls]
    print(f"\napi queries: {few} -> {many}")
    assert many == few
