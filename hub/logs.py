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
