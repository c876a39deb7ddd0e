"""Emails through the real broker: a Celery worker process on RabbitMQ sends the email of a
committed notification once; with the broker down, the write still succeeds at once and
the sweep sends the email later, once.

Needs CELERY_BROKER_URL (RabbitMQ) and a database another process can open (PostgreSQL,
DATABASE_URL). The worker runs on the test database, consumes a queue of its own (so no
other worker on the machine takes these tasks) and writes emails to files.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from hub.celery import app as celery_app
from notifications import services, tasks
from notifications.models import Kind, Notification

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="needs a real broker: set CELERY_BROKER_URL (and DATABASE_URL) to run",
    ),
]

SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # the file backend's end of each message
WORKER_SETTINGS = '''\
"""Settings of the test worker: the project's, on the test database, mail to files."""
from hub.settings import *  # noqa: F403

DATABASES["default"]["NAME"] = {db_name!r}  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = False
NEXUS_EMAIL_QUEUE = {queue!r}
for _task in NEXUS_ON_BROKER_CONNECT.values():  # noqa: F405
    _task["queue"] = {queue!r}
MAILERS = {{
    "default": {{
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {{"file_path": {mail_dir!r}}},
    }}
}}
'''


@dataclass
class Worker:
    process: subprocess.Popen
    queue: str
    mail_dir: Path
    log: Path

    def emails(self) -> list[bytes]:
        raw = b"".join(p.read_bytes() for p in sorted(self.mail_dir.glob("*.log")))
        return [m for m in raw.split(SEPARATOR) if m.strip()]

    def clear_mail(self) -> None:
        for p in self.mail_dir.glob("*.log"):
            p.unlink()

    def wait_for_emails(self, count: int, timeout: float = 45) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"The worker exited ({self.process.returncode}):\n{self.output()}")
            if len(found := self.emails()) >= count:
                return found
            time.sleep(0.2)
        pytest.fail(f"No email from the worker after {timeout} s. Its log:\n{self.output()}")

    def settle(self, timeout: float = 20) -> None:
        """Wait until the worker's queue is empty, then a moment for the task in hand. (A solo
        worker can leave a ready message for ~10 s before taking it: allow for that.)"""
        deadline = time.monotonic() + timeout
        with celery_app.connection_for_write() as conn:
            while time.monotonic() < deadline:
                _, ready, _ = conn.default_channel.queue_declare(self.queue, passive=True)
                if ready == 0:
                    break
                time.sleep(0.2)
        time.sleep(1.5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]


@contextmanager
def worker_started(
    home: Path,
    *,
    broker_url: str | None = None,
    extra_settings: str = "",
    loglevel: str = "warning",
    pool: str = "solo",
    queue: str | None = None,
) -> Iterator[Worker]:
    """A solo Celery worker process on the test database, consuming a queue of its own,
    writing emails to files under `home`; `broker_url` points it at another broker."""
    queue = queue or f"nexus-test-{uuid.uuid4().hex[:12]}"
    mail_dir = home / "mail"
    mail_dir.mkdir(exist_ok=True)
    module = f"nexus_test_worker_{uuid.uuid4().hex[:8]}"
    worker_settings = WORKER_SETTINGS.format(
        db_name=connection.settings_dict["NAME"], queue=queue, mail_dir=str(mail_dir)
    )
    try:
        reverse("notifications:unsubscribe", kwargs={"token": "x"})
    except NoReverseMatch:  # not routed yet: test_email's URLs, which add it
        worker_settings += 'ROOT_URLCONF = "notifications.tests.test_email"\n'
    (home / f"{module}.py").write_text(worker_settings + extra_settings)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": module,
        "PYTHONPATH": os.pathsep.join([str(home), str(django_settings.BASE_DIR)]),
        # The worker is not under pytest: DEBUG lets it keep the tests' development secret
        # (unsubscribe links signed as in this process).
        "DJANGO_DEBUG": "true",
    }
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    log = home / "worker.log"
    celery = Path(sys.executable).with_name("celery")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "hub",
                "worker",
                "--pool",
                pool,
                "--concurrency",
                "1",
                "-Q",
                queue,
                "--hostname",
                f"{queue}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                loglevel,
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Worker(process=process, queue=queue, mail_dir=mail_dir, log=log)
    finally:
        process.terminate()  # a warm shutdown can wait ~10 s on an idle solo consumer
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
            conn.default_channel.exchange_delete(queue)  # each queue has its own (hub.celery)


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Worker]:
    if connection.vendor == "sqlite":
        pytest.skip("the worker process cannot open SQLite's in-memory test database")
    with worker_started(tmp_path_factory.mktemp("worker")) as started:
        yield started


@pytest.fixture
def to_worker(worker, settings) -> Worker:
    """This test's tasks go to the worker's queue, through the broker (not eagerly)."""
    settings.NEXUS_EMAIL_QUEUE = worker.queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    worker.clear_mail()
    return worker


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point this process's Celery app at another broker, dropping its cached pools (the
    CELERY_BROKER_URL environment variable wins over app.conf, so it is changed too)."""

    def forget_pools() -> None:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    parsed = urlsplit(url)
    original = celery_app.conf.broker_url
    forget_pools()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.broker_url = url
        try:
            # What apply_async publishes through: the producer pool's connections.
            template = celery_app.amqp.producer_pool.connections.connection
            assert (template.hostname, template.port) == (parsed.hostname, parsed.port)
            yield
        finally:
            forget_pools()
            celery_app.conf.broker_url = original


@contextmanager
def hung_broker() -> Iterator[str]:
    """A port that accepts TCP connections and never speaks AMQP (a stuck broker)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # never accepted: the kernel completes handshakes, nobody answers
        yield f"amqp://guest:guest@127.0.0.1:{listener.getsockname()[1]}//"


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"amqp://guest:guest@127.0.0.1:{port}//"


def notify_answer(learner, mentor, n: int = 1) -> Notification:
    (notification,) = services.notify(
        recipients=[learner],
        kind=Kind.ANSWER_ON_QUESTION,
        actor=mentor,
        target_key=f"question:{n}",
        target_title=f"Why does my task run twice? ({n})",
        url=f"/q/{n}/x/",
    )
    return notification


@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_the_email_of_a_committed_notification_once(to_worker, learner, mentor):
    n = notify_answer(learner, mentor)  # commits; on commit the email task is queued

    (email,) = to_worker.wait_for_emails(1)
    to_worker.settle()

    assert len(to_worker.emails()) == 1
    assert f"To: {learner.email}".encode() in email
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in email
    n.refresh_from_db()
    assert n.emailed_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outage", ["refused", "hung"])
def test_with_the_broker_down_the_write_succeeds_and_the_sweep_sends_later_once(
    to_worker, learner, mentor, caplog, outage
):
    down = hung_broker() if outage == "hung" else _as_context(closed_port())
    with down as url, broker_at(url):
        started = time.monotonic()
        n = notify_answer(learner, mentor)
        elapsed = time.monotonic() - started

    assert elapsed < 3, f"notify() waited {elapsed:.1f} s on a broker that is down"
    assert "left for the sweep" in caplog.text
    time.sleep(1)
    n.refresh_from_db()
    assert n.emailed_at is None
    assert to_worker.emails() == []

    # The broker is back; a minute later the periodic sweep runs (twice, overlapping).
    Notification.objects.filter(pk=n.pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    tasks.notification_email_sweep.apply_async(queue=to_worker.queue)
    tasks.notification_email_sweep.apply_async(queue=to_worker.queue)

    to_worker.wait_for_emails(1)
    to_worker.settle()
    assert len(to_worker.emails()) == 1
    n.refresh_from_db()
    assert n.emailed_at is not None

    tasks.notification_email_sweep.apply_async(queue=to_worker.queue)
    to_worker.settle()
    assert len(to_worker.emails()) == 1


@contextmanager
def _as_context(value: str) -> Iterator[str]:
    yield value
