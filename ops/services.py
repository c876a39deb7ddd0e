"""Every write of the ops app. The run record is written by the worker (ops.signals); the
ops page's retry is the one write an admin makes."""

from __future__ import annotations

import inspect
import logging
import os
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ops import permissions
from ops.models import RunState, TaskRun, WorkerHeartbeat

logger = logging.getLogger(__name__)

RETRYABLE = (RunState.FAILED, RunState.DEAD)


def task_target(task: Any, args: list | tuple, kwargs: dict) -> str:
    """What a run is about, from its arguments: "notification_id=42"."""
    try:
        bound = inspect.signature(task.run).bind_partial(*args, **kwargs)
        text = ", ".join(f"{name}={value!r}" for name, value in bound.arguments.items())
    except (TypeError, ValueError):
        text = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
    return text[:200]


def taskrun_started(
    *,
    task_id: str,
    task: str,
    target: str,
    queue: str,
    args: list,
    kwargs: dict,
    attempt: int,
    max_attempts: int | None,
    worker: str,
) -> None:
    TaskRun.objects.update_or_create(
        task_id=task_id,
        defaults={
            "task": task,
            "target": target,
            "queue": queue,
            "args": args,
            "kwargs": kwargs,
            "state": RunState.STARTED,
            "attempt": attempt,
            "max_attempts": max_attempts,
            "worker": worker,
            "started_at": timezone.now(),
            "finished_at": None,
            "duration_ms": None,
        },
    )


def taskrun_error(
    *, task_id: str, error: str, traceback: str, next_retry_at: datetime | None = None
) -> None:
    TaskRun.objects.filter(task_id=task_id).update(
        last_error=error[:2000],
        traceback=traceback[-20000:],
        next_retry_at=next_retry_at,
        updated_at=timezone.now(),
    )


def taskrun_finished(*, task_id: str, state: str, duration_ms: int | None) -> None:
    TaskRun.objects.filter(task_id=task_id).update(
        state=state, finished_at=timezone.now(), duration_ms=duration_ms, updated_at=timezone.now()
    )


def taskrun_dead(
    *, task_id: str, task: str, args: list, kwargs: dict, queue: str, reason: str
) -> TaskRun:
    """A message the broker dead-lettered (delivery limit reached, or rejected after its
    last failure): recorded, or its run marked, as dead."""
    now = timezone.now()
    run, created = TaskRun.objects.get_or_create(
        task_id=task_id,
        defaults={
            "task": task,
            "args": args,
            "kwargs": kwargs,
            "queue": queue,
            "state": RunState.DEAD,
            "started_at": now,
            "finished_at": now,
            "last_error": reason,
        },
    )
    if not created and run.state != RunState.REQUEUED:
        note = f"Dead-lettered: {reason}"
        run.state = RunState.DEAD
        run.last_error = f"{run.last_error}\n{note}".strip() if run.last_error else note
        run.finished_at = run.finished_at or now
        run.save(update_fields=["state", "last_error", "finished_at", "updated_at"])
    return run


def taskrun_retry(*, actor: Any, run_id: int) -> TaskRun:
    """Queue a failed or dead-lettered run again, once: pressing twice (or two admins at
    once) queues one task. Returns the run, now "requeued"."""
    if not permissions.can_operate(actor):
        raise PermissionDenied("Only admins can retry background work.")
    from hub.celery import app

    with transaction.atomic():
        run = TaskRun.objects.select_for_update().get(pk=run_id)
        if run.state not in RETRYABLE or run.retried_as:
            return run
        new_id = str(uuid.uuid4())
        run.state = RunState.REQUEUED
        run.retried_as = new_id
        run.save(update_fields=["state", "retried_as", "updated_at"])
        options = {"task_id": new_id}
        if run.queue:
            options["queue"] = run.queue
        transaction.on_commit(
            lambda: app.send_task(run.task, args=run.args, kwargs=run.kwargs, **options)
        )
    logger.info("ops: %s retried run %s as %s", getattr(actor, "pk", None), run.task_id, new_id)
    return run


def taskrun_prune(*, older_than: timedelta | None = None) -> int:
    keep = older_than or getattr(settings, "NEXUS_TASK_RUNS_KEEP", timedelta(days=14))
    deleted, _ = TaskRun.objects.filter(started_at__lt=timezone.now() - keep).delete()
    return deleted


def worker_heartbeat(*, hostname: str, queues: list[str], started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname,
        defaults={
            "pid": os.getpid(),
            "queues": ",".join(queues)[:500],
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )
