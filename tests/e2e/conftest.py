import pytest
from playwright.sync_api import Page

from accounts.tests.factories import PASSWORD


@pytest.fixture(scope="session", autouse=True)
def _no_socket_404s_in_the_log():
    """Pages served by the WSGI live_server try their socket there and get 404s, again every
    few seconds per tab: keep those out of the log (hub.logs), every other 404 in it."""
    import logging

    from hub.logs import SocketAttemptsOverWsgiFilter

    logger = logging.getLogger("django.request")
    quiet = SocketAttemptsOverWsgiFilter()
    logger.addFilter(quiet)
    yield
    logger.removeFilter(quiet)


@pytest.fixture
def log_in(live_server):
    """Log `user` in through the real login page of `page`."""

    def _log_in(page: Page, user) -> Page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _log_in


@pytest.fixture
def asgi_server(transactional_db):
    """The project's ASGI application (pages and /ws/live/) served by uvicorn in a thread of
    this process, so it shares the test database. Yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn
    from django.db import connections

    from hub.asgi import application

    # The server's threads close their connections after each request, so the test
    # database can be dropped at the end.
    saved_max_age = connections.settings["default"].get("CONN_MAX_AGE", 0)
    connections.settings["default"]["CONN_MAX_AGE"] = 0

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    connections.settings["default"]["CONN_MAX_AGE"] = saved_max_age


@pytest.fixture
def log_in_at():
    """Log `user` in through the login page of the server at `base`."""

    def _log_in(page: Page, base: str, user) -> Page:
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        return page

    return _log_in


@pytest.fixture(autouse=True)
def _requests_done_before_the_flush(request):
    """At the end of a journey, wait until no request of the test's servers is still in a
    transaction before the database is emptied: the flush's TRUNCATE of every table and a
    late request of the closing page (a poll, a socket's catch-up) lock tables in opposite
    orders, and PostgreSQL ends one of them with a deadlock."""
    if not request.node.get_closest_marker("django_db"):
        yield
        return
    # Set up the database first, so that this teardown runs before its flush.
    request.getfixturevalue("transactional_db")
    yield
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    busy = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
    )
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(busy)
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
