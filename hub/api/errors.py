"""The API's one refusal mapping: every error leaves as RFC 9457 `application/problem+json`.

Services raise Django's own exceptions (`PermissionDenied(message)`, `ValidationError`
with per-field messages, `Http404`) and the few of `hub.errors` (`RateLimited`,
`Conflict`); DRF raises its own for authentication, parsing and throttling. This module
turns each into one problem document, once for the whole API:

    {"type": ".../api/v1/problems/validation", "title": "Invalid input", "status": 400,
     "detail": "Some fields need another look.", "errors": {"title": ["Too short."]}}

`PROBLEMS` is the list of problem types; `problem_for` is the mapping itself, free of DRF
so that another door (GraphQL) can read the same kinds and messages from it.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from hub.errors import Conflict, RateLimited

PROBLEM_CONTENT_TYPE = "application/problem+json"
NON_FIELD = "non_field_errors"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    description: str


PROBLEMS: dict[str, ProblemType] = {
    p.slug: p
    for p in [
        ProblemType(
            "validation",
            400,
            "Invalid input",
            "The body or a query parameter is malformed or breaks a rule; `errors` names "
            "each field with its messages (`non_field_errors` for the request as a whole).",
        ),
        ProblemType(
            "unauthenticated",
            401,
            "Authentication required",
            "Send `Authorization: Bearer <token>` with a live token (or a session cookie "
            "with its CSRF token). An unknown, revoked or expired token is refused.",
        ),
        ProblemType(
            "forbidden",
            403,
            "Not allowed",
            "You are signed in but may not do this: your role, the token's scopes, a "
            "suspension, or the rules of the object (`detail` says which).",
        ),
        ProblemType(
            "not-found",
            404,
            "Not found",
            "There is nothing here you can see. Hidden posts, drafts and other people's "
            "private things answer 404, as the pages do.",
        ),
        ProblemType(
            "method-not-allowed", 405, "Method not allowed", "This route does not take it."
        ),
        ProblemType("not-acceptable", 406, "Not acceptable", "The API answers `application/json`."),
        ProblemType(
            "conflict",
            409,
            "Conflict",
            "The object's state refuses the change now: a locked question, a review "
            "another mentor already claimed, something already done.",
        ),
        ProblemType(
            "too-large", 413, "Request too large", "The body is larger than the API accepts."
        ),
        ProblemType(
            "unsupported-media-type",
            415,
            "Unsupported media type",
            "Send bodies as `application/json`.",
        ),
        ProblemType(
            "rate-limited",
            429,
            "Too many requests",
            "Slow down: `Retry-After` says how many seconds to wait. Posting limits are "
            "shared with the pages: an account cannot post more by switching door.",
        ),
        ProblemType(
            "server-error",
            500,
            "Server error",
            "Something broke on our side. It is logged with the time; try again later and "
            "report it if it stays.",
        ),
        ProblemType(
            "unavailable",
            503,
            "Service unavailable",
            "The database cannot be reached just now: `Retry-After` says when to try again.",
        ),
    ]
}


@dataclass
class Problem:
    """One problem document before it is rendered."""

    kind: ProblemType
    detail: str
    errors: dict[str, list[str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self, type_uri: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": type_uri,
            "title": self.kind.title,
            "status": self.kind.status,
            "detail": self.detail,
        }
        if self.errors is not None:
            data["errors"] = self.errors
        return data


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}: {msg}" for key, item in value.items() for msg in _messages(item)]
    if isinstance(value, list | tuple):
        return [msg for item in value for msg in _messages(item)]
    return [str(value)]


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    return {NON_FIELD: _messages(detail)}


def _validation_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if key == "__all__" else key): list(messages)
            for key, messages in error.message_dict.items()
        }
    return {NON_FIELD: list(error.messages)}


_DRF_KINDS = {
    drf.NotAuthenticated: "unauthenticated",
    drf.AuthenticationFailed: "unauthenticated",
    drf.PermissionDenied: "forbidden",
    drf.NotFound: "not-found",
    drf.MethodNotAllowed: "method-not-allowed",
    drf.NotAcceptable: "not-acceptable",
    drf.UnsupportedMediaType: "unsupported-media-type",
    drf.Throttled: "rate-limited",
}


class PayloadTooLarge(drf.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "too_large"


class ConflictError(drf.APIException):
    """For API code that refuses on state itself (rare: services raise `hub.errors.Conflict`)."""

    status_code = 409
    default_detail = "The object's state refuses this change."
    default_code = "conflict"


def problem_for(exc: Exception) -> Problem | None:
    """The problem an exception stands for, or None for a bug (left to be a 500)."""
    if isinstance(exc, drf.ValidationError | drf.ParseError):
        detail = (
            "The body is not valid JSON."
            if isinstance(exc, drf.ParseError)
            else "Some fields need another look."
        )
        errors = _field_errors(exc.detail) if isinstance(exc, drf.ValidationError) else None
        if errors is None:
            errors = {NON_FIELD: [str(exc.detail)]}
        return Problem(PROBLEMS["validation"], detail, errors)
    if isinstance(exc, ValidationError):
        return Problem(
            PROBLEMS["validation"], "Some fields need another look.", _validation_errors(exc)
        )
    if isinstance(exc, RequestDataTooBig | PayloadTooLarge):
        return Problem(PROBLEMS["too-large"], "The request body is too large.")
    if isinstance(exc, ConflictError):
        return Problem(PROBLEMS["conflict"], str(exc.detail))
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return Problem(PROBLEMS["not-found"], "Not found.")
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        return Problem(PROBLEMS["rate-limited"], str(exc) or "Too many requests.", None, headers)
    if isinstance(exc, Conflict):
        return Problem(PROBLEMS["conflict"], str(exc) or "The object's state refuses this.")
    if isinstance(exc, PermissionDenied):
        return Problem(PROBLEMS["forbidden"], str(exc) or "You cannot do that.")
    for klass, slug in _DRF_KINDS.items():
        if isinstance(exc, klass):
            headers = {}
            if isinstance(exc, drf.Throttled) and exc.wait is not None:
                headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
            return Problem(PROBLEMS[slug], str(exc.detail), None, headers)
    if isinstance(exc, drf.APIException):
        # Any other DRF error keeps its status under the closest kind we document.
        for kind in PROBLEMS.values():
            if kind.status == exc.status_code:
                return Problem(kind, str(exc.detail))
    return None


def problem_type_uri(request: Any, slug: str) -> str:
    return request.build_absolute_uri(f"/api/v1/problems/{slug}")


def problem_response(request: Any, problem: Problem, headers: dict[str, str] | None = None):
    response = Response(
        problem.body(problem_type_uri(request, problem.kind.slug)),
        status=problem.kind.status,
        headers={**(headers or {}), **problem.headers},
        content_type=PROBLEM_CONTENT_TYPE,
    )
    return response


def server_error_body(request: Any, slug: str) -> dict[str, Any]:
    """The problem document of a 500 (or 503) under /api/, built without DRF or the
    database (the error may be in either); the host may be the very thing that failed."""
    kind = PROBLEMS[slug]
    try:
        type_uri = problem_type_uri(request, slug)
    except Exception:  # noqa: BLE001 - a disallowed host must not turn a 500 into a loop
        type_uri = f"/api/v1/problems/{slug}"
    return Problem(kind, kind.description).body(type_uri)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every refusal as problem+json."""
    problem = problem_for(exc)
    if problem is None:
        return None
    headers: dict[str, str] = {}
    if isinstance(exc, drf.APIException) and getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    set_rollback()
    return problem_response(context["request"], problem, headers)
