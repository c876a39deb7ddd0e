"""The webhook services: the owner's writes, deliveries recorded for the owner's own things
only, and each delivery through a real local receiver (signed, retried, logged)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from discussions import services as discussions
from discussions.tests import factories as forum
from projects.tests import factories as showcase
from webhooks import services
from webhooks.models import Delivery, DeliveryState, Event, Webhook
from webhooks.signing import signature_verify
from webhooks.tests.conftest import RECEIVER_HOST
from webhooks.tests.factories import webhook

pytestmark = pytest.mark.django_db


# --- The owner's writes ----------------------------------------------------------------


def test_create_returns_the_secret_once_and_stores_the_checked_url(learner):
    hook, secret = services.webhook_create(
        owner=learner, url="HTTPS://Hooks.Example.com:443/in", events=["answer.created"]
    )
    assert secret.startswith("whsec_") and len(secret) > 40
    assert hook.url == "https://hooks.example.com/in"
    assert hook.events == ["answer.created"] and hook.active


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8000/hook",
        "http://10.0.0.1.nip.io/hook",
        "javascript:alert(1)",
    ],
)
def test_create_refuses_what_the_link_rule_refuses(learner, url):
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(owner=learner, url=url, events=["answer.created"])
    assert "url" in refused.value.message_dict
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("address", ["10.1.2.3", "127.0.0.1", "169.254.169.254", "::1", "fd00::1"])
def test_create_refuses_a_name_that_resolves_to_a_private_address(learner, dns, address):
    dns["intranet.example.com"] = address
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(
            owner=learner, url="https://intranet.example.com/hook", events=["answer.created"]
        )
    assert address in refused.value.message_dict["url"][0]


def test_events_must_be_known_and_at_least_one(learner):
    with pytest.raises(ValidationError):
        services.webhook_create(owner=learner, url="https://a.example.com/", events=[])
    with pytest.raises(ValidationError):
        services.webhook_create(owner=learner, url="https://a.example.com/", events=["vote.cast"])


def test_only_the_owner_updates_rotates_or_deletes(learner, other_learner):
    hook = webhook(learner, "https://a.example.com/")
    old = hook.secret
    with pytest.raises(PermissionDenied):
        services.webhook_update(actor=other_learner, webhook=hook, active=False)
    with pytest.raises(PermissionDenied):
        services.webhook_secret_rotate(actor=other_learner, webhook=hook)
    with pytest.raises(PermissionDenied):
        services.webhook_delete(actor=other_learner, webhook=hook)
    new = services.webhook_secret_rotate(actor=learner, webhook=hook)
    assert new != old and Webhook.objects.get(pk=hook.pk).secret == new
    services.webhook_update(actor=learner, webhook=hook, events=["review.submitted"], active=False)
    hook.refresh_from_db()
    assert hook.events == ["review.submitted"] and not hook.active
    services.webhook_delete(actor=learner, webhook=hook)
    assert not Webhook.objects.exists()


# --- Events on the owner's own things ---------------------------------------------------


def test_an_answer_to_my_question_is_recorded_for_me_only(learner, other_learner, mentor):
    mine = webhook(learner, "https://mine.example.com/")
    theirs = webhook(other_learner, "https://theirs.example.com/")
    question = forum.question(learner)
    answer = forum.answer(mentor, question, body="Use `select_related`.")
    delivery = Delivery.objects.get()
    assert delivery.webhook == mine and delivery.event == Event.ANSWER_CREATED
    assert delivery.payload["answer"]["id"] == answer.pk
    assert delivery.payload["answer"]["body"] == "Use `select_related`."
    assert delivery.payload["answer"]["author"] == {"handle": "mentor-one", "name": "Mia Mentor"}
    assert "email" not in json.dumps(delivery.payload)
    assert not theirs.deliveries.exists()


def test_feedback_and_reviews_on_my_project(learner, other_learner, mentor):
    hook = webhook(learner, "https://mine.example.com/")
    project = showcase.project(learner)
    showcase.feedback(other_learner, project, body="Add pagination.")
    assert [d.event for d in hook.deliveries.all()] == [Event.FEEDBACK_CREATED]
    showcase.reviewed(learner, mentor)
    review = hook.deliveries.get(event=Event.REVIEW_SUBMITTED)
    assert review.payload["review"]["verdict"] == "looks_good"
    assert review.payload["review"]["works"] == "Clear endpoints."


def test_only_chosen_events_and_active_webhooks(learner, mentor):
    webhook(learner, "https://reviews.example.com/", events=["review.submitted"])
    off = webhook(learner, "https://off.example.com/")
    services.webhook_update(actor=learner, webhook=off, active=False)
    forum.answer(mentor, forum.question(learner))
    assert not Delivery.objects.exists()


def test_the_task_is_queued_only_once_the_write_commits(
    learner, mentor, receiver, django_capture_on_commit_callbacks
):
    webhook(learner, receiver.url(RECEIVER_HOST))
    question = forum.question(learner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        forum.answer(mentor, question)
    assert receiver.requests == []
    for callback in callbacks:
        callback()
    assert len(receiver.requests) == 1


# --- Deliveries through a real receiver ---------------------------------------------------


def _answer_delivered(learner, mentor, receiver, django_capture_on_commit_callbacks, **kw):
    hook, secret = services.webhook_create(
        owner=learner, url=receiver.url(RECEIVER_HOST), events=["answer.created"], **kw
    )
    question = forum.question(learner)
    with django_capture_on_commit_callbacks(execute=True):
        answer = forum.answer(mentor, question)
    return hook, secret, answer


def test_a_delivery_is_signed_json_with_event_and_id_headers(
    learner, mentor, receiver, django_capture_on_commit_callbacks
):
    _hook, secret, answer = _answer_delivered(
        learner, mentor, receiver, django_capture_on_commit_callbacks
    )
    [request] = receiver.requests
    delivery = Delivery.objects.get()
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-nexus-event"] == "answer.created"
    assert request.headers["x-nexus-delivery"] == str(delivery.uuid)
    assert request.headers["host"] == f"{RECEIVER_HOST}:{receiver.port}"
    assert signature_verify(
        secret=secret, body=request.body, header=request.headers["x-nexus-signature"]
    )
    assert not signature_verify(
        secret="whsec_wrong", body=request.body, header=request.headers["x-nexus-signature"]
    )
    assert not signature_verify(
        secret=secret, body=request.body + b" ", header=request.headers["x-nexus-signature"]
    )
    body = json.loads(request.body)
    assert body["id"] == str(delivery.uuid) and body["event"] == "answer.created"
    assert body["data"]["answer"]["id"] == answer.pk
    assert delivery.state == DeliveryState.SUCCEEDED
    assert delivery.response_code == 200 and delivery.attempts == 1
    assert delivery.duration_ms is not None and delivery.delivered_at is not None


def _resume_due(django_capture_on_commit_callbacks) -> int:
    """The retry's time has come (moved into the past), and beat's resume sweep runs."""
    Delivery.objects.filter(state=DeliveryState.RETRYING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        return services.deliveries_resume()


def test_a_receiver_that_fails_then_recovers_gets_exactly_one_success_with_retries_logged(
    learner, mentor, receiver, django_capture_on_commit_callbacks, caplog
):
    """Eager (as here and on the embedded default): one try in the request, the retries
    from the resume sweep, counting on; the same delivery id every time."""
    receiver.statuses = [503, 500]
    caplog.set_level(logging.INFO, logger="webhooks.services")
    _answer_delivered(learner, mentor, receiver, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.RETRYING and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now() and len(receiver.requests) == 1
    assert services.deliveries_resume() == 0  # not due yet
    assert _resume_due(django_capture_on_commit_callbacks) == 1
    assert _resume_due(django_capture_on_commit_callbacks) == 1
    assert _resume_due(django_capture_on_commit_callbacks) == 0  # delivered: nothing due
    delivery.refresh_from_db()
    print(
        f"\nwebhook: {len(receiver.requests)} requests, {receiver.successes} success, "
        f"attempts {delivery.attempts}, state {delivery.state}"
    )
    assert [r.status for r in receiver.requests] == [503, 500, 200]
    assert receiver.successes == 1
    assert len({r.headers["x-nexus-delivery"] for r in receiver.requests}) == 1
    assert [r.headers["x-nexus-attempt"] for r in receiver.requests] == ["1", "2", "3"]
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.attempts == 3
    logged = [r.getMessage() for r in caplog.records if "attempt" in r.getMessage()]
    assert [line.split(" -> ")[1] for line in logged] == [
        "retrying (HTTP 503)",
        "retrying (HTTP 500)",
        "succeeded",
    ]


def test_eager_delivery_tries_once_with_a_short_timeout(
    learner, mentor, receiver, django_capture_on_commit_callbacks, settings
):
    """A receiver that never answers holds the request for one short try, not 6 x 5 s."""
    import socket
    import time

    settings.NEXUS_WEBHOOK_EAGER_TIMEOUT = 0.5
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts, never answers
    try:
        port = silent.getsockname()[1]
        services.webhook_create(
            owner=learner, url=f"http://{RECEIVER_HOST}:{port}/hook", events=["answer.created"]
        )
        question = forum.question(learner)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            forum.answer(mentor, question)
        took = time.monotonic() - started
    finally:
        silent.close()
    delivery = Delivery.objects.get()
    print(f"\neager delivery to a silent receiver: {took:.2f} s, {delivery.attempts} try")
    assert took < 3
    assert delivery.attempts == 1 and delivery.state == DeliveryState.RETRYING
    assert "timed out" in delivery.last_error.lower()
    assert not delivery.may_redeliver  # its retry is not due yet
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    delivery.refresh_from_db()
    assert delivery.may_redeliver  # due: Redeliver may send it (no beat on the embedded default)


def test_a_client_error_is_not_retried_and_a_redirect_is_not_followed(
    learner, mentor, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [302]
    receiver.headers = {"Location": "http://169.254.169.254/latest/meta-data/"}
    _answer_delivered(learner, mentor, receiver, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert len(receiver.requests) == 1
    assert delivery.state == DeliveryState.FAILED and delivery.response_code == 302
    assert "redirects are not followed" in delivery.last_error


def test_retries_give_up_after_the_last_attempt(
    learner, mentor, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [503] * 10
    _answer_delivered(learner, mentor, receiver, django_capture_on_commit_callbacks)
    resumed = [_resume_due(django_capture_on_commit_callbacks) for _ in range(7)]
    delivery = Delivery.objects.get()
    assert resumed == [1, 1, 1, 1, 1, 0, 0]
    assert len(receiver.requests) == 6 == delivery.attempts == services.MAX_ATTEMPTS
    assert delivery.state == DeliveryState.FAILED and delivery.last_error == "HTTP 503"


def test_the_last_try_through_a_worker_fails_the_task(learner, mentor, receiver):
    """With a worker (not eager), a retryable failure on the last try fails the task, so
    it is dead-lettered and shown on /ops/ (the task itself, run as the worker would)."""
    from webhooks.tasks import DeliveryFailed, webhook_delivery_send

    receiver.statuses = [503]
    hook = webhook(learner, receiver.url(RECEIVER_HOST), ["answer.created"])
    delivery = Delivery.objects.create(webhook=hook, event="answer.created", attempts=5,
                                       payload={"answer": {"id": 0}})  # fmt: skip
    from unittest import mock

    with mock.patch("webhooks.services._refusal", return_value=""):
        webhook_delivery_send.push_request(retries=5, is_eager=False)
        try:
            with pytest.raises(DeliveryFailed, match="Gave up after 6 tries"):
                webhook_delivery_send.run(delivery.pk)
        finally:
            webhook_delivery_send.pop_request()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 6


def test_redeliver_twice_sends_once(learner, mentor, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [404]
    _answer_delivered(learner, mentor, receiver, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.select_related("webhook").get()
    assert delivery.state == DeliveryState.FAILED
    seen = delivery.attempts
    with django_capture_on_commit_callbacks(execute=True):
        first = services.delivery_redeliver(actor=learner, delivery=delivery, seen_attempts=seen)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.delivery_redeliver(actor=learner, delivery=delivery, seen_attempts=seen)
    assert (first, second) == (True, False)
    assert [r.status for r in receiver.requests] == [404, 200]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.attempts == 2


def test_redeliver_is_the_owners_and_not_while_queued(learner, other_learner, mentor):
    webhook(learner, "https://mine.example.com/")
    forum.answer(mentor, forum.question(learner))
    delivery = Delivery.objects.select_related("webhook").get()
    with pytest.raises(PermissionDenied):
        services.delivery_redeliver(actor=other_learner, delivery=delivery)
    assert services.delivery_redeliver(actor=learner, delivery=delivery) is False  # pending


def test_an_answer_hidden_before_its_delivery_is_not_sent(
    learner, mentor, other_learner, receiver, django_capture_on_commit_callbacks
):
    webhook(learner, receiver.url(RECEIVER_HOST))
    question = forum.question(learner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = forum.answer(other_learner, question)
    discussions.post_hidden_set(post=answer, hidden=True, reason="spam")
    for callback in callbacks:
        callback()
    delivery = Delivery.objects.get()
    assert receiver.requests == []
    assert delivery.state == DeliveryState.FAILED and "no longer visible" in delivery.last_error


def test_backoff_is_exponential_with_jitter_in_whole_seconds(settings):
    from webhooks.tasks import backoff

    settings.NEXUS_WEBHOOK_RETRY_BASE = 10
    for retries, (low, high) in enumerate([(5, 10), (10, 20), (20, 40), (40, 80), (80, 160)]):
        waits = {backoff(retries) for _ in range(200)}
        assert all(isinstance(w, int) and low <= w <= high for w in waits)
        assert len(waits) > 1  # jitter
    settings.NEXUS_WEBHOOK_RETRY_BASE = 0.1
    assert backoff(0) == 1  # never a countdown that truncates to 0


def test_old_deliveries_are_pruned(learner, mentor, settings):
    from datetime import timedelta

    from django.utils import timezone

    from webhooks.tasks import webhook_deliveries_prune

    webhook(learner, "https://mine.example.com/")
    question = forum.question(learner)
    forum.answer(mentor, question)
    forum.answer(mentor, question)
    old = Delivery.objects.order_by("pk").first()
    Delivery.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert webhook_deliveries_prune() == 1
    assert Delivery.objects.count() == 1 and not Delivery.objects.filter(pk=old.pk).exists()


def test_the_resume_sweep_takes_overdue_retries_once_and_counts_on(
    learner, mentor, monkeypatch, django_capture_on_commit_callbacks
):
    """With a worker, a retry waits in the broker: the sweep only takes one overdue by the
    grace (its delayed message lost), tells the task how many tries it had, and never a
    delivery at its last try or one already queued again."""
    hook = webhook(learner, "https://a.example.com/", ["answer.created"])
    now = timezone.now()

    def row(attempts: int, overdue: timedelta) -> Delivery:
        return Delivery.objects.create(webhook=hook, event="answer.created", attempts=attempts,
                                       state=DeliveryState.RETRYING,
                                       next_attempt_at=now - overdue)  # fmt: skip

    lost, recent, last = (
        row(2, timedelta(minutes=5)),
        row(1, timedelta(seconds=30)),
        row(6, timedelta(hours=1)),
    )
    sent: list[tuple] = []
    monkeypatch.setattr(services, "_send", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_resume(grace=timedelta(minutes=2)) == 1
    assert sent == [(lost.pk, 2)]  # the task's retries count on from the row's tries
    lost.refresh_from_db()
    assert lost.state == DeliveryState.PENDING and lost.next_attempt_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_resume(grace=timedelta(minutes=2)) == 0  # taken once
    recent.refresh_from_db()
    last.refresh_from_db()
    assert recent.state == last.state == DeliveryState.RETRYING
