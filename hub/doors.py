"""The HTML door's one mapping of a service's refusal (the REST and GraphQL doors have
theirs in hub/api/errors.py and hub/graphql_base.py).

Services refuse with Django's own exceptions: `ValidationError` (bad input, per field),
`PermissionDenied` (not this person; `Conflict` and `RateLimited` are kinds of it). A view
wraps its one service call in `refusals(...)`:

    with doors.refusals(form) as outcome:            # ValidationError -> the form's fields
        question = services.question_create(...)
    if outcome.ok:
        return redirect(question)
    return render(..., {"form": form}, status=400)

    with doors.refusals(request) as outcome:         # ValidationError -> a message
        services.proposal_accept(...)

A `PermissionDenied` goes on to `refusals_shown` (a message and back, or a toast over
HTMX) unless `denied=True` (or one kind: `denied=RateLimited`) shows it here too, for a
form page that stays put.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from hub.errors import refusal_response, refusals_shown  # noqa: F401 - the door's other half
from hub.forms import form_add_service_error


class refusals:
    """Catch a service's refusal and show it where the person is looking."""

    def __init__(
        self,
        target: forms.Form | HttpRequest | None = None,
        *,
        denied: bool | type[PermissionDenied] = False,
    ) -> None:
        self.target = target
        # Which PermissionDenied stay here too: all (True), one kind (RateLimited), none.
        self.denied: tuple[type[BaseException], ...] = (
            (PermissionDenied,) if denied is True else (denied,) if denied else ()
        )
        self.error: ValidationError | PermissionDenied | None = None

    def __enter__(self) -> refusals:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if exc is None:
            return False
        if not (isinstance(exc, ValidationError) or (self.denied and isinstance(exc, self.denied))):
            return False
        self.error = exc
        self._show(exc)
        return True

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        """The refusal in words ("" when the call went through)."""
        return message_of(self.error) if self.error is not None else ""

    def _show(self, error: Any) -> None:
        if isinstance(self.target, forms.Form):
            if isinstance(error, ValidationError):
                form_add_service_error(self.target, error)
            else:
                self.target.add_error(None, message_of(error))
        elif isinstance(self.target, HttpRequest):
            messages.error(self.target, message_of(error))


def message_of(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages) or "That did not work."
    return str(error) or "You cannot do that."


def form_data(form: forms.Form) -> dict[str, Any]:
    """A small action form's data, or its own errors as the refusal, inside `refusals`
    (an over-long reason says it is too long, never a service's "Give a reason")."""
    if not form.is_valid():
        raise ValidationError(form_message(form))
    return form.cleaned_data


def form_message(form: forms.Form) -> str:
    """Every error a form holds, in one line (for a message when the page moves on)."""
    return " ".join(m for errors in form.errors.values() for m in errors)
