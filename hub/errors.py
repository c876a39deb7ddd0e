"""The refusals every door knows how to show, and the view decorator that shows them.

Services raise Django's own `PermissionDenied(message)` (and `ValidationError` for
fields); `RateLimited` is a PermissionDenied answered with 429, `Conflict` one the API
answers with 409.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import trigger_client_event


class RateLimited(PermissionDenied):
    """Too many posts in a while. `retry_after` (seconds), when known, becomes the API's
    `Retry-After` header."""

    def __init__(self, message: str = "", *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Conflict(PermissionDenied):
    """Refused because of the object's state, not the person (a locked question, a review
    another mentor claimed): a 403 on the pages, a 409 in the API."""


def refusal_response(request: HttpRequest, error: PermissionDenied, back: str) -> HttpResponse:
    """A refused action: a toast over HTMX, a message and a redirect without it."""
    message = str(error) or "You cannot do that."
    status = 429 if isinstance(error, RateLimited) else 403
    if request.htmx:
        response = HttpResponse(message, status=status, content_type="text/plain")
        return trigger_client_event(response, "nexus:toast", {"level": "error", "message": message})
    messages.error(request, message)
    return redirect(back)


def refusals_shown(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn a service's PermissionDenied into a clear message instead of a bare 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as error:
            back = request.headers.get("HX-Current-URL") or request.META.get("HTTP_REFERER")
            if not back or not back.startswith(request.build_absolute_uri("/")):
                back = reverse("home")
            return refusal_response(request, error, back)

    return wrapper
