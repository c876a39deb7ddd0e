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
from ops.models import ParkedTask, RunState, TaskRun, WorkerHeartbeat

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
    with transaction.atomic():
        run = TaskRun.objects.select_for_update().get(pk=run_id)
        if run.state not in RETRYABLE or run.retried_as:
            return run
        new_id = str(uuid.uuid4())
        run.state = RunState.REQUEUED
        run.retried_as = new_id
        run.save(update_fields=["state", "retried_as", "updated_at"])
        queue = run.queue or None
        transaction.on_commit(
            lambda: task_send(
                run.task,
                args=run.args,
                kwargs=run.kwargs,
                queue=queue,
                task_id=new_id,
                inline_when_eager=False,  # a retry goes to the workers, on record
            )
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


def task_send(
    name: str,
    *,
    args: list | None = None,
    kwargs: dict | None = None,
    queue: str | None = None,
    task_id: str | None = None,
    inline_when_eager: bool = True,
    retries: int = 0,
) -> bool:
    """Queue a task by name, once and bounded (CELERY_BROKER_CONNECTION_TIMEOUT): with the
    broker down the task is parked (one INSERT) and sent again when a worker reconnects,
    so callers never wait on or lose work to a broker outage. True if it was queued now.
    `retries`: how many tries the task already had (a resumed retry counts on)."""
    from kombu.exceptions import OperationalError

    from hub.celery import app

    options: dict[str, Any] = {"task_id": task_id or str(uuid.uuid4())}
    if retries:
        options["retries"] = retries
    if queue:
        options["queue"] = queue
    eager = inline_when_eager and app.conf.task_always_eager
    if eager and name in app.tasks:  # the embedded default (and tests): inline
        app.tasks[name].apply_async(args=args or [], kwargs=kwargs or {}, **options)
        return True
    try:
        app.send_task(name, args=args or [], kwargs=kwargs or {}, retry=False, **options)
    except (OperationalError, OSError) as error:
        logger.warning("Broker unavailable (%s): %s parked", error, name)
        ParkedTask.objects.create(
            task=name,
            args=list(args or []),
            kwargs=dict(kwargs or {}),
            options=options,
            error=str(error)[:500],
        )
        return False
    return True


def parked_tasks_send(*, limit: int = 500) -> int:
    """Send parked tasks again, oldest first; each row is deleted once its task is queued
    (rows locked and skipped by a concurrent run, so each goes once). Stops at the first
    broker failure: the rest wait for the next reconnect."""
    from hub.celery import app

    sent = 0
    with transaction.atomic():
        rows = list(
            ParkedTask.objects.select_for_update(skip_locked=True).order_by("created_at")[:limit]
        )
        for row in rows:
            try:
                app.send_task(row.task, args=row.args, kwargs=row.kwargs, **row.options)
            except Exception as error:  # noqa: BLE001 - the broker went again: keep the rest
                logger.warning("parked tasks: broker unavailable again (%s)", error)
                break
            row.delete()
            sent += 1
    return sent
