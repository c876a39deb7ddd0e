"""Domain hooks: an app announces that something happened; apps above it subscribe.

Dependencies point one way (DESIGN.md), so an app never imports the apps that react to
it. It emits a named hook; those apps connect a receiver in their `ready()`:

    hooks.connect("guide.question_closed", record_log_entry)     # moderation/apps.py
    hooks.emit("guide.question_closed", actor=..., question=...)  # guides/services.py

Receivers run in the caller's transaction (emit after commit with `on_commit` when the
receiver only reports). Unlike Django signals there is no sender and no weak reference:
a hook is a name, its receivers a list, and an exception in one propagates to the writer
(so a write and its log entry commit together or not at all).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

_receivers: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def connect(name: str, receiver: Callable[..., Any]) -> None:
    if receiver not in _receivers[name]:
        _receivers[name].append(receiver)


def emit(name: str, **payload: Any) -> list[Any]:
    return [receiver(**payload) for receiver in list(_receivers.get(name, ()))]
