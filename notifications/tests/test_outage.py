"""Broker outages as an operator would stage them (marker `outage`; run by .ci/run): the
broker is reached through a TCP proxy of ours that is cut and restored, so the machine's
RabbitMQ keeps running. Prints the figures issue 17 asks for."""

import os
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from hub.tests.outage import TcpProxy
from notifications.models import Notification
from notifications.tests.test_broker import broker_at, notify_answer, worker_started

pytestmark = [
    pytest.mark.outage,
    pytest.mark.broker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="needs a real broker: set CELERY_BROKER_URL (and DATABASE_URL) to run",
    ),
    pytest.mark.django_db(transaction=True),
]

OUTAGE_SECONDS = 8


@pytest.fixture
def broker_proxy():
    real = urlsplit(os.environ["CELERY_BROKER_URL"])
    proxy = TcpProxy((real.hostname, real.port or 5672))
    proxy.start()
    netloc = f"{real.username}:{real.password}@127.0.0.1:{proxy.port}"
    url = urlunsplit((real.scheme, netloc, real.path, "", ""))
    yield proxy, url
    proxy.cut()


def wait_until(predicate, timeout: float, what: str, log=lambda: "") -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout} s\n{log()}")


def test_mail_whose_enqueue_failed_goes_out_once_soon_after_the_broker_returns(
    broker_proxy, tmp_path, settings, learner, mentor, caplog
):
    if connection.vendor == "sqlite":
        pytest.skip("the worker process cannot open SQLite's in-memory test database")
    proxy, url = broker_proxy
    with worker_started(tmp_path, broker_url=url, loglevel="info") as worker, broker_at(url):
        settings.NEXUS_EMAIL_QUEUE = worker.queue
        settings.CELERY_TASK_ALWAYS_EAGER = False
        # The worker is up when its first email arrives.
        notify_answer(learner, mentor, n=0)
        worker.wait_for_emails(1, timeout=90)
        worker.clear_mail()

        proxy.cut()  # RabbitMQ "stops" for this process and the worker
        posts = []
        for n in range(1, 6):
            started = time.monotonic()
            posts.append(notify_answer(learner, mentor, n=n))
            assert time.monotonic() - started < 3
        assert caplog.text.count("left for the sweep") == 5
        time.sleep(OUTAGE_SECONDS)
        proxy.restore()
        back = time.monotonic()

        ids = [p.pk for p in posts]
        wait_until(
            lambda: Notification.objects.filter(pk__in=ids, emailed_at__isnull=False).count() == 5,
            timeout=60,
            what="every email after the broker returned",
            log=worker.output,
        )
        elapsed = time.monotonic() - back
        worker.settle()
        emails = worker.emails()

    per_notification = {n: sum(f"({n})".encode() in e for e in emails) for n in range(1, 6)}
    print(
        f"\n[outage] broker down {OUTAGE_SECONDS} s: 5/5 notifications stored, "
        f"emails per notification {sorted(set(per_notification.values()))}, "
        f"all sent {elapsed:.1f} s after the broker returned"
    )
    assert set(per_notification.values()) == {1}
    assert len(emails) == 5
    assert elapsed < 60


SLOW_MAIL = '''
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    """Stalls while a `stall` file exists beside the mail folder (a send in progress)."""

    def send_messages(self, messages):
        home = Path(self.file_path).parent
        if (home / "stall").exists():
            (home / "stalled").touch()
            time.sleep(120)
        return super().send_messages(messages)
'''


def pool_children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def test_a_worker_killed_mid_send_has_the_email_redelivered_at_once_and_sent_once(
    tmp_path, settings, learner, mentor
):
    if connection.vendor == "sqlite":
        pytest.skip("the worker process cannot open SQLite's in-memory test database")
    (tmp_path / "nexus_slow_mail.py").write_text(SLOW_MAIL)
    extra = 'MAILERS["default"]["BACKEND"] = "nexus_slow_mail.EmailBackend"\n'
    with worker_started(tmp_path, pool="prefork", extra_settings=extra) as worker:
        settings.NEXUS_EMAIL_QUEUE = worker.queue
        settings.CELERY_TASK_ALWAYS_EAGER = False
        (tmp_path / "stall").touch()
        n = notify_answer(learner, mentor, n=7)
        wait_until(lambda: (tmp_path / "stalled").exists(), 90, "the send to start", worker.output)
        (tmp_path / "stall").unlink()
        children = pool_children(worker.process.pid)
        assert len(children) == 1, children
        os.kill(children[0], signal.SIGKILL)  # mid-send: inside the row's transaction
        killed = time.monotonic()
        worker.wait_for_emails(1, timeout=60)
        elapsed = time.monotonic() - killed
        worker.settle()
        emails = worker.emails()

    n.refresh_from_db()
    print(
        f"\n[outage] worker process killed mid-send: email redelivered and sent "
        f"{elapsed:.1f} s later; emails for the notification: {len(emails)}"
    )
    assert len(emails) == 1
    assert n.emailed_at is not None
    assert elapsed < 30  # at once, not at the next sweep (5 minutes)
