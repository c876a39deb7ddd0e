"""Logging filters for the development server's console (``make run``)."""

import logging

# Daphne's runserver logs every socket's handshake, connect and disconnect at INFO: with a
# live socket per open tab that is three lines per page view, drowning the requests.
_SOCKET_LIFECYCLE = ("WebSocket HANDSHAKING", "WebSocket CONNECT", "WebSocket DISCONNECT")


class QuietSocketsFilter(logging.Filter):
    """On ``django.channels.server``: drop the WebSocket lifecycle lines (a rejected
    socket, and every HTTP request, still show)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_SOCKET_LIFECYCLE)


class SocketAttemptsOverWsgiFilter(logging.Filter):
    """On ``django.request``, for the browser journeys' WSGI live server only (installed by
    tests/e2e/conftest.py): drop the 404 of a page's WebSocket attempt at ``/ws/``. That
    server has no socket (pages there fall back to polling) and each tab retries every few
    seconds, drowning the log. Every other 404, a plain GET of ``/ws/...`` included, still
    logs; production, where the proxy sends ``/ws/`` to uvicorn, never installs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if getattr(record, "status_code", None) != 404 or request is None:
            return True
        upgrade = request.META.get("HTTP_UPGRADE", "").lower()
        return not (request.path.startswith("/ws/") and upgrade == "websocket")
