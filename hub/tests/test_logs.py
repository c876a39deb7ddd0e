"""The console filters of hub/logs.py."""

import logging

import pytest
from django.http import HttpResponseNotFound
from django.test import RequestFactory
from django.utils.log import log_response

from hub.logs import SocketAttemptsOverWsgiFilter


@pytest.fixture
def quiet_request_log():
    logger = logging.getLogger("django.request")
    quiet = SocketAttemptsOverWsgiFilter()
    logger.addFilter(quiet)
    yield
    logger.removeFilter(quiet)


def not_found(request) -> None:
    log_response("Not Found: %s", request.path, response=HttpResponseNotFound(), request=request)


def test_a_socket_attempt_at_the_wsgi_server_is_quiet_and_real_404s_are_not(
    quiet_request_log, caplog
):
    factory = RequestFactory()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        not_found(factory.get("/ws/live/?topics=feed", HTTP_UPGRADE="websocket"))
        assert caplog.messages == []
        not_found(factory.get("/ws/live/"))  # not a socket: a real 404
        not_found(factory.get("/q/404/missing/", HTTP_UPGRADE="websocket"))
        not_found(factory.get("/questions/nope/"))
    assert caplog.messages == [
        "Not Found: /ws/live/",
        "Not Found: /q/404/missing/",
        "Not Found: /questions/nope/",
    ]
