"""Tasks for the worker tests only (the test worker imports them through CELERY_IMPORTS):
a poison message that kills its worker process, one that always fails, and one that fails
a given number of times before it succeeds."""

import os
import signal

from celery import shared_task


@shared_task
def poison_kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@shared_task
def poison_fail() -> None:
    raise ValueError("this message is poison")


@shared_task(
    bind=True,
    autoretry_for=(RuntimeError,),
    retry_backoff=2,
    retry_jitter=False,
    max_retries=3,
)
def flaky(self, fails: int) -> int:
    if self.request.retries < fails:
        raise RuntimeError(f"failing on purpose ({self.request.retries + 1} of {fails})")
    return self.request.retries
