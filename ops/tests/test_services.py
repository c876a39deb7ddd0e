"""The ops app's writes without a worker: retry once, prune, permissions."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.utils import timezone

from ops import services
from ops.models import RunState, TaskRun

pytestmark = pytest.mark.django_db


def a_run(**fields) -> TaskRun:
    now = timezone.now()
    defaults = {
        "task_id": "t-1",
        "task": "notifications.tasks.notification_email",
        "target": "notification_id=7",
        "queue": "celery",
        "args": [7],
        "state": RunState.FAILED,
        "started_at": now,
        "last_error": "OSError: boom",
    }
    return TaskRun.objects.create(**{**defaults, **fields})


def test_retry_queues_the_task_once_however_often_it_is_pressed(admin_user):
    run = a_run()
    with mock.patch("hub.celery.app.send_task") as send:
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.taskrun_retry(actor=admin_user, run_id=run.pk)
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.taskrun_retry(actor=admin_user, run_id=run.pk)

    assert send.call_count == 1
    args, kwargs = send.call_args
    assert args == ("notifications.tasks.notification_email",)
    assert kwargs["args"] == [7] and kwargs["queue"] == "celery"
    run.refresh_from_db()
    assert run.state == RunState.REQUEUED
    assert run.retried_as == kwargs["task_id"]


def test_only_failed_or_dead_runs_are_retried(admin_user):
    run = a_run(state=RunState.SUCCEEDED)
    with mock.patch("hub.celery.app.send_task") as send:
        services.taskrun_retry(actor=admin_user, run_id=run.pk)
    assert send.call_count == 0


def test_retry_is_for_admins(mentor):
    run = a_run()
    with pytest.raises(PermissionDenied):
        services.taskrun_retry(actor=mentor, run_id=run.pk)


def test_prune_keeps_recent_runs(settings):
    settings.NEXUS_TASK_RUNS_KEEP = timedelta(days=14)
    old = a_run(task_id="old")
    TaskRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - timedelta(days=15))
    a_run(task_id="new")

    assert services.taskrun_prune() == 1
    assert list(TaskRun.objects.values_list("task_id", flat=True)) == ["new"]


def test_a_dead_letter_marks_its_run_dead_or_records_it():
    a_run(task_id="known", state=RunState.RETRY)
    services.taskrun_dead(
        task_id="known", task="x", args=[], kwargs={}, queue="q", reason="delivery_limit"
    )
    services.taskrun_dead(
        task_id="unknown", task="x", args=[1], kwargs={}, queue="q", reason="rejected"
    )

    assert TaskRun.objects.get(task_id="known").state == RunState.DEAD
    assert "delivery_limit" in TaskRun.objects.get(task_id="known").last_error
    assert TaskRun.objects.get(task_id="unknown").state == RunState.DEAD


def test_eager_runs_are_not_recorded(learner, mentor):
    from notifications.tests.test_broker import notify_answer

    notify_answer(learner, mentor)  # the email task runs inline (eager) in tests
    assert TaskRun.objects.count() == 0
