"""The one keyset cursor every list uses (pages, REST, GraphQL, benchmarks): base64url JSON
of ``[sort value, id]``, padding stripped. The id breaks ties in the sort value, so a page
starts strictly after the row the cursor names (discussions/selectors.py `_keyset_bound`).

    cursor = cursor_encode(question.last_activity_at, question.pk)
    after = cursor_decode(cursor)              # (datetime, int), or None for a bad cursor
    after = cursor_decode(cursor, parse=int)   # an integer sort value (score, stars)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any


def cursor_encode(value: Any, pk: int) -> str:
    """The cursor naming the row with this sort value and id (a datetime as ISO 8601)."""
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode[T](
    cursor: str, parse: Callable[[Any], T] = datetime.fromisoformat
) -> tuple[T, int] | None:
    """The (sort value, id) a cursor names, the value read by `parse`; None for anything
    that does not parse (a cursor is client input: never a 500)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return parse(value), int(pk)
    except (ValueError, TypeError):  # binascii.Error, JSONDecodeError, UnicodeDecodeError too
        return None
