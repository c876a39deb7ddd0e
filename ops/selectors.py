"""Reads for the ops page and the worker's readiness: the run record (database), queue
depths (the broker, bounded), heartbeats and the beat schedule."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from ops.models import ParkedTask, RunState, TaskRun, WorkerHeartbeat

logger = logging.getLogger(__name__)

ALIVE_WITHIN = timedelta(seconds=30)
PROBLEM_STATES = (RunState.FAILED, RunState.DEAD)


@dataclass(frozen=True)
class QueueDepth:
    name: str
    ready: int | None  # None: the broker did not answer
    consumers: int | None


@dataclass(frozen=True)
class ScheduleEntry:
    name: str
    task: str
    schedule: str
    last_run_at: datetime | None
    next_run_at: datetime | None


def ops_queue_names() -> list[str]:
    names = [getattr(settings, "NEXUS_EMAIL_QUEUE", "celery"), "celery"]
    names.append(getattr(settings, "NEXUS_DEAD_LETTER_QUEUE", "nexus.dead"))
    names += list(getattr(settings, "NEXUS_OPS_EXTRA_QUEUES", []))
    return list(dict.fromkeys(names))


def queue_depths(names: list[str] | None = None) -> list[QueueDepth]:
    """Messages ready and consumers per queue, asked of the broker (passive declare: never
    creates a queue). A broker that is down gives None, not an error page."""
    from hub.celery import app

    names = names or ops_queue_names()
    depths: list[QueueDepth] = []
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            for name in names:
                channel = conn.channel()
                try:
                    _, ready, consumers = channel.queue_declare(name, passive=True)
                    depths.append(QueueDepth(name, ready, consumers))
                except Exception:  # noqa: BLE001 - not declared (yet): nothing waits there
                    depths.append(QueueDepth(name, 0, 0))
                finally:
                    with contextlib.suppress(Exception):  # closed by the broker already
                        channel.close()
    except Exception as error:  # noqa: BLE001
        logger.warning("ops: broker unavailable for queue depths: %s", error)
        return [QueueDepth(name, None, None) for name in names]
    return depths


def broker_reachable() -> bool:
    from hub.celery import app

    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        logger.warning("readyz(worker): broker unavailable: %s", error)
        return False
    return True


def workers_alive(now: datetime | None = None) -> list[WorkerHeartbeat]:
    now = now or timezone.now()
    return list(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - ALIVE_WITHIN).order_by("hostname")
    )


def workers_recent(now: datetime | None = None) -> list[tuple[WorkerHeartbeat, bool]]:
    """Workers seen in the last day, each with whether it is alive now."""
    now = now or timezone.now()
    rows = WorkerHeartbeat.objects.filter(seen_at__gte=now - timedelta(days=1)).order_by("hostname")
    return [(w, w.seen_at >= now - ALIVE_WITHIN) for w in rows]


def runs_by_state(*, since: timedelta = timedelta(hours=1)) -> dict[str, int]:
    counts = (
        TaskRun.objects.filter(updated_at__gte=timezone.now() - since)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {row["state"]: row["n"] for row in counts}
    return {label: found.get(value, 0) for value, label in RunState.choices}


def problem_runs(*, limit: int = 50) -> list[TaskRun]:
    """Failed and dead-lettered runs, newest first (with their tracebacks)."""
    return list(TaskRun.objects.filter(state__in=PROBLEM_STATES).order_by("-updated_at")[:limit])


def beat_schedule(now: datetime | None = None) -> list[ScheduleEntry]:
    """CELERY_BEAT_SCHEDULE with each task's last run (from the record) and next run."""
    now = now or timezone.now()
    schedule: dict[str, dict[str, Any]] = getattr(settings, "CELERY_BEAT_SCHEDULE", {})
    tasks = [entry["task"] for entry in schedule.values()]
    last = dict(
        TaskRun.objects.filter(task__in=tasks)
        .values("task")
        .annotate(at=Max("started_at"))
        .values_list("task", "at")
        .order_by()
    )
    entries = []
    for name, entry in schedule.items():
        when = entry["schedule"]
        last_at = last.get(entry["task"])
        next_at = None
        try:
            remaining = when.remaining_estimate(last_at or now)
            next_at = max(now, (last_at or now) + remaining)
        except (AttributeError, TypeError):
            if isinstance(when, (int, float, timedelta)):
                step = when if isinstance(when, timedelta) else timedelta(seconds=when)
                next_at = (last_at or now) + step
        entries.append(ScheduleEntry(name, entry["task"], str(when), last_at, next_at))
    return entries


def parked_count() -> int:
    """Tasks whose enqueue failed while the broker was down, waiting to be sent again."""
    return ParkedTask.objects.count()
