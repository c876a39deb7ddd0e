"""The ops app's periodic work (beat): pruning the run record."""

from celery import shared_task

from ops import services


@shared_task
def taskrun_prune() -> int:
    """Delete run records older than NEXUS_TASK_RUNS_KEEP."""
    return services.taskrun_prune()


@shared_task
def parked_tasks_send() -> int:
    """Send the tasks parked while the broker was down (queued by every worker when it
    reconnects, and every minute by beat)."""
    return services.parked_tasks_send()
