"""The steps every app's services share (one home, so the apps cannot drift apart).

    require(allowed, message)     refuse with PermissionDenied(message)
    clean(obj, exclude=())        the row's own validation (full_clean, no unique checks)
    after_commit(func, *args)     run `func` once the transaction commits; `robust`: a live
                                  event or hook that fails is logged, the write it reports
                                  has already committed

The floor for every write (`require_writer`) is the account's, in accounts.permissions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def clean(obj: models.Model, *, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=False)


def after_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: func(*args, **kwargs), robust=True)
