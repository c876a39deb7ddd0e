"""Django's database sessions, each with a version in the cache that every write bumps.

A signed-in person's kept page (hub/page_cache.py) depends on their session's version,
so a hit needs no query to know their session is as it was: any save (new data, a flash
message, a new expiry) or deletion (signing out, a new key at sign-in) of the session
through this store bumps it once the write commits. A write to the session table from
anywhere else (a queryset delete, the admin, raw SQL) bumps the version every session
shares instead: page_cache's write watcher sees every statement and cannot tell which rows
it touched. (So `clearsessions`, which deletes expired rows, retires every copy too; a
copy also records when its session expires, and a hit past that time passes through.)

SESSION_ENGINE = "hub.sessions".
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
from collections.abc import Iterator
from datetime import datetime

from django.contrib.sessions.backends import db
from django.db import transaction

from hub import cache

# True while this store writes its own row (page_cache's watcher leaves it to us).
_writing = contextvars.ContextVar("nexus_session_writing", default=False)


def dep(session_key: str) -> cache.Dep:
    """The cache dependency of one session (its key is a secret: only a digest is named)."""
    return ("session", hashlib.blake2b(session_key.encode(), digest_size=16).hexdigest())


ALL = ("sessions", "")  # the version every session's kept pages also depend on


def writing() -> bool:
    return _writing.get()


@contextlib.contextmanager
def _own_write(session_key: str | None) -> Iterator[None]:
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)
    if session_key:
        kind, key = dep(session_key)
        transaction.on_commit(lambda: cache.version_bump(kind, key, pages=False))


class SessionStore(db.SessionStore):
    # When the row read by load() expires (None until then, or for a new session).
    expire_date: datetime | None = None

    def _get_session_from_db(self):
        found = super()._get_session_from_db()
        self.expire_date = found.expire_date if found is not None else None
        return found

    def save(self, must_create: bool = False) -> None:
        with _own_write(self._session_key):
            super().save(must_create=must_create)
        # (a new key made by save() itself: nothing can be kept under it yet)

    def delete(self, session_key: str | None = None) -> None:
        with _own_write(session_key or self.session_key):
            super().delete(session_key)
