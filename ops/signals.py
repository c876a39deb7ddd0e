"""Celery's signals -> the run record. They fire in the worker process only for tasks a
worker runs (eager runs, in the request, are not recorded: no query on the request path).
A failure here is logged and never fails the task."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from celery import signals
from django.utils import timezone

from ops import services
from ops.models import RunState

logger = logging.getLogger(__name__)

POSTRUN_STATES = {"SUCCESS": RunState.SUCCEEDED, "RETRY": RunState.RETRY}


def _worker_task(task) -> bool:
    return task is not None and not getattr(task.request, "is_eager", False)


def _guarded(handler):
    def run(*args, **kwargs):
        try:
            handler(*args, **kwargs)
        except Exception:  # the record must never fail the work it records
            logger.exception("ops: could not record a task run")

    return run


@_guarded
def on_prerun(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
    if not _worker_task(task):
        return
    request = task.request
    request.nexus_started = time.monotonic()
    max_retries = getattr(task, "max_retries", None)
    delivery = request.delivery_info or {}
    services.taskrun_started(
        task_id=task_id,
        task=task.name,
        target=services.task_target(task, args or (), kwargs or {}),
        queue=delivery.get("routing_key") or "",
        args=list(args or ()),
        kwargs=dict(kwargs or {}),
        attempt=(request.retries or 0) + 1,
        max_attempts=None if max_retries is None else max_retries + 1,
        worker=request.hostname or "",
    )


@_guarded
def on_retry(sender=None, request=None, reason=None, einfo=None, **_):
    if request is None or getattr(request, "is_eager", False):
        return
    when = getattr(reason, "when", None)
    next_at = None
    if isinstance(when, (int, float)):
        next_at = timezone.now() + timedelta(seconds=when)
    elif isinstance(when, datetime):
        next_at = when
    error = getattr(reason, "exc", None) or reason
    services.taskrun_error(
        task_id=request.id,
        error=f"{type(error).__name__}: {error}",
        traceback=str(einfo.traceback if einfo else ""),
        next_retry_at=next_at,
    )


@_guarded
def on_failure(sender=None, task_id=None, exception=None, einfo=None, **_):
    if not _worker_task(sender):
        return
    services.taskrun_error(
        task_id=task_id,
        error=f"{type(exception).__name__}: {exception}",
        traceback=str(einfo.traceback if einfo else ""),
    )


@_guarded
def on_postrun(sender=None, task_id=None, task=None, state=None, **_):
    if not _worker_task(task):
        return
    started = getattr(task.request, "nexus_started", None)
    duration = None if started is None else int((time.monotonic() - started) * 1000)
    services.taskrun_finished(
        task_id=task_id, state=POSTRUN_STATES.get(state, RunState.FAILED), duration_ms=duration
    )


def connect() -> None:
    signals.task_prerun.connect(on_prerun, weak=False, dispatch_uid="ops.prerun")
    signals.task_retry.connect(on_retry, weak=False, dispatch_uid="ops.retry")
    signals.task_failure.connect(on_failure, weak=False, dispatch_uid="ops.failure")
    signals.task_postrun.connect(on_postrun, weak=False, dispatch_uid="ops.postrun")
