"""Database and Redis outages staged against this process (marker `outage`; run by
.ci/run). The database is reached through a TCP proxy of ours that is cut and restored (the
machine's PostgreSQL keeps running); Redis is a redis-server of our own on a port in our
range, stopped and started again. Prints the figures issue 17 asks for."""

import os
import time

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from hub.tests.outage import TcpProxy

pytestmark = [pytest.mark.outage, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database_proxy():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    settings_dict = connection.settings_dict
    original = (settings_dict["HOST"], settings_dict["PORT"])
    proxy = TcpProxy((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)))
    proxy.start()
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(proxy.port)
    yield proxy
    proxy.restore() if proxy.listener is None else None
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = original
    proxy.cut()


def test_with_the_database_down_pages_answer_503_with_retry_after_and_recover(
    database_proxy, learner
):
    # Django's test client disconnects close_old_connections() from request_started (a
    # server runs it before every request, and CONN_HEALTH_CHECKS makes it drop a broken
    # connection); do here what the server does.
    def get(path):
        close_old_connections()
        return client.get(path)

    client = Client(raise_request_exception=False)
    client.force_login(learner)
    assert client.get("/").status_code == 200

    database_proxy.cut()
    down = [get(path) for path in ["/", "/questions/", "/projects/", "/"] * 3]
    ready = get("/readyz")
    database_proxy.restore()
    started = time.monotonic()
    while get("/").status_code != 200:
        assert time.monotonic() - started < 30, "pages did not recover by themselves"
        time.sleep(0.2)
    recovered = time.monotonic() - started

    statuses = [r.status_code for r in down]
    print(
        f"\n[outage] database down: {len(statuses)} page requests, "
        f"{statuses.count(503)} answered 503 with Retry-After "
        f"{sorted({r['Retry-After'] for r in down if r.has_header('Retry-After')})}, "
        f"{statuses.count(500)} answered 500; /readyz {ready.status_code} "
        f"{ready.json()['checks']['database']!r}; pages back {recovered:.1f} s after it returned"
    )
    assert set(statuses) == {503}
    assert all(r["Retry-After"] == "30" for r in down)
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "unreachable"
    assert str(database_proxy.port) not in ready.content.decode()
    assert os.environ.get("DATABASE_URL", "x").split("@")[-1] not in ready.content.decode()
