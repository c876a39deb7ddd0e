"""The GraphQL door of webhooks: the viewer's own, the same services as the other doors,
null / not_found for anyone else's (IDOR), and a query count that does not grow with the
number of webhooks or deliveries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions.tests import factories as forum
from hub.tests.gql import data, gid, node
from webhooks.models import Delivery, DeliveryState, Webhook
from webhooks.tests.factories import webhook

pytestmark = pytest.mark.django_db

CREATE = """mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { secret webhook { id url events active } errors { field code } }
}"""
EDIT = """mutation($input: EditWebhookInput!) {
  editWebhook(input: $input) { webhook { id active events } errors { field code } }
}"""
DELETE = """mutation($input: WebhookIdInput!) {
  deleteWebhook(input: $input) { deletedId errors { code } }
}"""
ROTATE = """mutation($input: WebhookIdInput!) {
  rotateWebhookSecret(input: $input) { secret webhook { secretHint } errors { code } }
}"""
REDELIVER = """mutation($input: RedeliverWebhookDeliveryInput!) {
  redeliverWebhookDelivery(input: $input) { queued delivery { state } errors { code } }
}"""
LIST = """{ webhooks {
  id url events secretHint
  deliveries(first: 5) { id uuid event state attempts responseCode payload mayRedeliver }
} }"""


@pytest.fixture
def signed_in(client, learner):
    client.force_login(learner)
    return client


def _answered(owner, by, n: int = 1) -> None:
    question = forum.question(owner)
    for _ in range(n):
        forum.answer(by, question)


def test_create_edit_rotate_delete_through_the_services(signed_in, learner):
    made = data(
        signed_in,
        CREATE,
        {"input": {"url": "https://hooks.example.com/in", "events": ["ANSWER_CREATED"]}},
    )["createWebhook"]
    hook = Webhook.objects.get()
    assert made["errors"] == [] and made["secret"] == hook.secret
    assert made["webhook"]["events"] == ["ANSWER_CREATED"] and hook.owner == learner
    hook_id = made["webhook"]["id"]

    edited = data(signed_in, EDIT, {"input": {"id": hook_id, "active": False}})["editWebhook"]
    assert edited["errors"] == [] and edited["webhook"]["active"] is False
    assert Webhook.objects.get().active is False

    rotated = data(signed_in, ROTATE, {"input": {"id": hook_id}})["rotateWebhookSecret"]
    hook.refresh_from_db()
    assert rotated["secret"] == hook.secret and hook.secret.startswith(
        rotated["webhook"]["secretHint"].rstrip("…")
    )

    deleted = data(signed_in, DELETE, {"input": {"id": hook_id}})["deleteWebhook"]
    assert deleted == {"deletedId": hook_id, "errors": []}
    assert not Webhook.objects.exists()


def test_refusals_are_typed_errors_with_field_paths(signed_in):
    loopback = data(
        signed_in,
        CREATE,
        {"input": {"url": "http://127.0.0.1:8000/", "events": ["ANSWER_CREATED"]}},
    )["createWebhook"]
    assert loopback["webhook"] is None and loopback["secret"] is None
    assert loopback["errors"][0]["field"] == ["input", "url"]
    none = data(signed_in, CREATE, {"input": {"url": "https://a.example.com/", "events": []}})
    assert none["createWebhook"]["errors"][0]["field"] == ["input", "events"]
    assert not Webhook.objects.exists()


def test_anonymous_sees_nothing_and_cannot_create(client):
    assert data(client, LIST)["webhooks"] == []
    made = data(
        client, CREATE, {"input": {"url": "https://a.example.com/", "events": ["ANSWER_CREATED"]}}
    )["createWebhook"]
    assert made["errors"][0]["code"] == "forbidden" and not Webhook.objects.exists()


def test_anyone_elses_webhook_and_delivery_are_null_and_not_found(client, learner, other_learner):
    hook = webhook(learner, "https://a.example.com/")
    _answered(learner, other_learner)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, attempts=1)
    hook_id, delivery_id = gid("Webhook", hook.pk), gid("WebhookDelivery", delivery.pk)
    secret = hook.secret

    client.force_login(other_learner)
    assert data(client, LIST)["webhooks"] == []
    query = "query($id: ID!) { webhook(id: $id) { id url } }"
    assert data(client, query, {"id": hook_id})["webhook"] is None
    assert node(client, hook_id) is None and node(client, delivery_id) is None
    for mutation, name in ((EDIT, "editWebhook"), (DELETE, "deleteWebhook"),
                           (ROTATE, "rotateWebhookSecret")):  # fmt: skip
        extra = {"active": False} if name == "editWebhook" else {}
        payload = data(client, mutation, {"input": {"id": hook_id, **extra}})[name]
        assert [e["code"] for e in payload["errors"]] == ["not_found"], name
    redeliver = data(client, REDELIVER, {"input": {"id": delivery_id}})
    assert redeliver["redeliverWebhookDelivery"]["errors"][0]["code"] == "not_found"
    # Nothing changed: still there, still on, same secret, the delivery not requeued.
    hook.refresh_from_db()
    assert hook.active and hook.secret == secret
    assert Delivery.objects.get().state == DeliveryState.FAILED

    client.force_login(learner)
    assert data(client, query, {"id": hook_id})["webhook"]["url"] == hook.url
    assert node(client, delivery_id, "... on WebhookDelivery { attempts }") == {"attempts": 1}


def test_redeliver_queues_once(signed_in, learner, other_learner):
    webhook(learner, "https://a.example.com/")
    _answered(learner, other_learner)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, attempts=2)
    variables = {"input": {"id": gid("WebhookDelivery", delivery.pk), "attempts": 2}}
    first = data(signed_in, REDELIVER, variables)["redeliverWebhookDelivery"]
    assert first == {"queued": True, "delivery": {"state": "PENDING"}, "errors": []}
    second = data(signed_in, REDELIVER, variables)["redeliverWebhookDelivery"]
    assert second["queued"] is False and second["errors"] == []


def test_the_list_with_logs_has_a_constant_query_count(signed_in, learner, other_learner, settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }
    webhook(learner, "https://a.example.com/")
    _answered(learner, other_learner, 1)
    with CaptureQueriesContext(connection) as small:
        first = data(signed_in, LIST)["webhooks"]
    for n in range(3):
        webhook(learner, f"https://b{n}.example.com/")
    _answered(learner, other_learner, 6)
    with CaptureQueriesContext(connection) as large:
        second = data(signed_in, LIST)["webhooks"]
    assert len(first) == 1 and len(second) == 4
    assert [len(h["deliveries"]) for h in second] == [5, 5, 5, 5]
    assert second[0]["deliveries"][0]["event"] == "ANSWER_CREATED"
    assert "answer" in second[0]["deliveries"][0]["payload"]
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_deliveries_first_is_bounded(signed_in, learner):
    webhook(learner, "https://a.example.com/")
    from hub.tests.gql import run

    body = run(signed_in, "{ webhooks { deliveries(first: 500) { id } } }")
    assert "between 1 and 50" in body["errors"][0]["message"]
