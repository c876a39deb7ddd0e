"""/ops/ and /readyz/worker through the Django client."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from ops.models import RunState, TaskRun, WorkerHeartbeat
from ops.selectors import QueueDepth

pytestmark = pytest.mark.django_db


def runs(n: int, state=RunState.FAILED) -> None:
    now = timezone.now()
    TaskRun.objects.bulk_create(
        TaskRun(
            task_id=f"t-{state}-{i}",
            task="notifications.tasks.notification_email",
            target=f"notification_id={i}",
            args=[i],
            state=state,
            started_at=now,
            last_error="OSError: boom",
            traceback="Traceback (most recent call last):\n  boom",
        )
        for i in range(n)
    )


@pytest.fixture
def broker_depths():
    with mock.patch(
        "ops.selectors.queue_depths", return_value=[QueueDepth("celery", 3, 1)]
    ) as depths:
        yield depths


def test_the_page_is_for_admins_only(client, learner, mentor):
    assert client.get("/ops/").status_code == 302  # anonymous: to the sign-in page
    client.force_login(mentor)
    assert client.get("/ops/").status_code == 403


def test_the_page_shows_queues_workers_states_failures_and_schedule(
    client, admin_user, broker_depths
):
    runs(2)
    runs(3, RunState.SUCCEEDED)
    WorkerHeartbeat.objects.create(
        hostname="celery@w1",
        pid=1,
        queues="celery",
        started_at=timezone.now(),
        seen_at=timezone.now(),
    )
    client.force_login(admin_user)
    page = client.get("/ops/").content.decode()

    assert "<code>celery</code>" in page and "<td>3</td>" in page
    assert "celery@w1" in page and "alive" in page
    assert "<strong>3</strong> succeeded" in page and "<strong>2</strong> failed" in page
    assert page.count("Traceback (most recent call last)") == 2
    assert "notification-email-sweep" in page and "taskrun-prune" in page


def test_the_page_keeps_a_fixed_query_count(
    client, admin_user, broker_depths, django_assert_max_num_queries
):
    client.force_login(admin_user)
    runs(1)
    client.get("/ops/")
    runs(20, RunState.DEAD)
    with django_assert_max_num_queries(10):  # + the parked count
        assert client.get("/ops/").status_code == 200


def test_retry_from_the_page_is_idempotent(client, admin_user, django_capture_on_commit_callbacks):
    runs(1)
    run = TaskRun.objects.get()
    client.force_login(admin_user)
    with mock.patch("hub.celery.app.send_task") as send:
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(f"/ops/runs/{run.pk}/retry", headers={"HX-Request": "true"})
        with django_capture_on_commit_callbacks(execute=True):
            second = client.post(f"/ops/runs/{run.pk}/retry", headers={"HX-Request": "true"})

    assert first.status_code == second.status_code == 200
    assert b"Queued again as" in second.content
    assert send.call_count == 1


def test_worker_readiness_names_a_missing_heartbeat(client):
    with mock.patch("ops.selectors.broker_reachable", return_value=True):
        response = client.get("/readyz/worker")
        assert response.status_code == 503
        assert response.json()["failed"] == ["worker_heartbeat"]
        WorkerHeartbeat.objects.create(
            hostname="celery@w1",
            pid=1,
            started_at=timezone.now(),
            seen_at=timezone.now() - timedelta(seconds=5),
        )
        assert client.get("/readyz/worker").status_code == 200


def test_worker_readiness_names_an_unreachable_broker(client):
    from notifications.tests.test_broker import broker_at, closed_port

    with broker_at(closed_port()):
        response = client.get("/readyz/worker")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unreachable"
    assert "127.0.0.1" not in response.content.decode()
