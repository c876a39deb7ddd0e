"""The record of background work: one row per task (a retry updates its row), and one per
worker's heartbeat. Written by the worker (ops.signals), never on the request path."""

from django.db import models


class RunState(models.TextChoices):
    STARTED = "started", "Running"
    RETRY = "retry", "Waiting to retry"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    DEAD = "dead", "Dead-lettered"
    REQUEUED = "requeued", "Queued again by hand"


class TaskRun(models.Model):
    task_id = models.CharField(max_length=64, unique=True)
    task = models.CharField(max_length=200)
    target = models.CharField(max_length=200, blank=True)  # "notification 42"
    queue = models.CharField(max_length=200, blank=True)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=RunState.choices)
    attempt = models.PositiveIntegerField(default=1)
    max_attempts = models.PositiveIntegerField(null=True, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The run that the ops page's retry queued from this one (at most one: idempotent).
    retried_as = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "-updated_at"], name="taskrun_state_recent"),
            models.Index(fields=["-started_at"], name="taskrun_recent"),
        ]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.task} [{self.task_id}] {self.state}"


class WorkerHeartbeat(models.Model):
    hostname = models.CharField(max_length=200, unique=True)
    pid = models.PositiveIntegerField()
    queues = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.hostname


class ParkedTask(models.Model):
    """A task whose enqueue failed (the broker was down): kept here and sent again as soon
    as a worker reconnects to the broker (and every minute by beat, as the net)."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)  # queue, task_id
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="parkedtask_created")]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.task} (parked)"
