"""What every API view shares: conditional GETs, cache headers, keyset pages.

Each app's api.py builds on `ApiView`:

- `ETag` on every successful GET (a strong tag of the body as this viewer sees it), and
  `If-None-Match` answered with 304 and no body. The tag lives here, in the API layer;
  the pages' HTTP caching is their own.
- `Last-Modified` on a GET whose body is a shared entry as it is (the view says so with
  hub.api.shared.whole_body), by hub.last_modified's rule, and `If-Modified-Since`
  answered with 304 when the request has no `If-None-Match`. Other reads carry none.
- `Cache-Control: private, no-cache` for a signed-in viewer (the body is theirs), and
  `public, no-cache` for anonymous reads; `Vary: Authorization, Cookie` on all, so no
  shared cache hands one person's answer to another.
- `keyset_response`: `results`, `next`, `previous` and the same two as a `Link` header.

And what every door repeats, written once (each app's api.py uses these, never its own):

- `SignedInApi` / `MentorApi`: who may call a view at all (an account; a token's `moderate`
  scope for mentors' writes). The services decide the rest.
- `found(selector(...))`: what the viewer cannot see is a 404, as on the pages.
- `known(selector(...), "field", "No such ...")`: an id or slug in a body that names
  nothing this viewer may see is a 400 on that field.
- `require(can_...(user), "message")`: a door-level refusal, a 403.
- `optional_field(Input, request, "note")`: a body that may be left out entirely.
- `url_pattern("api:question")`: a URL with `{}` for the id, reversed once per process.
- `@request_example("...", {...})` on an input serializer: the example body the schema
  shows on every operation that takes it.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_etags
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub import last_modified
from hub.api.shared import LAST_MODIFIED_ATTR

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
CHANGELOG_URL = "/api/v1/docs/#changelog"
SUNSET_NOTICE_MIN = timedelta(days=183)  # six months (docs/decisions/0015-api-versioning.md)


@dataclass(frozen=True)
class Deprecation:
    """A route (or a field's route) that will go: answered with `Deprecation` (RFC 9745),
    `Sunset` (RFC 8594) and a `Link` to the changelog until it goes."""

    since: datetime
    sunset: datetime
    link: str = CHANGELOG_URL

    def __post_init__(self) -> None:
        if self.sunset - self.since < SUNSET_NOTICE_MIN:
            raise ValueError("The API promises at least six months between deprecation and sunset.")

    def headers(self, request: Request) -> dict[str, str]:
        link = request.build_absolute_uri(self.link)
        return {
            "Deprecation": f"@{int(self.since.timestamp())}",
            "Sunset": http_date(self.sunset.timestamp()),
            "Link": f'<{link}>; rel="deprecation"; type="text/html"',
        }


class ApiView(APIView):
    """The base of every /api/v1/ view. Set `deprecation` on a view that will go."""

    deprecation: Deprecation | None = None

    def finalize_response(self, request: Request, response: Any, *args, **kwargs) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        authenticated = bool(getattr(request, "user", None) and request.user.is_authenticated)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if hasattr(response, "render"):
                response.render()
            etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            response["ETag"] = etag
            dated = getattr(request, LAST_MODIFIED_ATTR, None)
            if dated is not None:
                computed_at, seen_at = dated
                stamp = last_modified.header(computed_at, now=seen_at)
                if stamp is not None:
                    response["Last-Modified"] = stamp
            if _matches(request.headers.get("If-None-Match", ""), etag) or (
                dated is not None and last_modified.not_modified(request, *dated)
            ):
                response = _not_modified(response)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-cache" if authenticated else "public, no-cache"
        patch_vary_headers(response, ("Authorization", "Cookie"))
        rate_limit = _rate_limit(request)
        if rate_limit is None and request is not None and response.status_code != 429:
            # Refused before the throttles ran (a 401 for a bad token, a 403 from a
            # permission): count it now, so that refusals carry the headers and count too.
            for throttle in self.get_throttles():
                throttle.allow_request(request, self)
            rate_limit = _rate_limit(request)
        if rate_limit is not None:
            limit, remaining, reset = rate_limit
            response["RateLimit-Limit"] = str(limit)
            response["RateLimit-Remaining"] = str(remaining)
            response["RateLimit-Reset"] = str(reset)
        if self.deprecation is not None:
            for header, value in self.deprecation.headers(request).items():
                if header == "Link" and response.get("Link"):
                    value = f"{response['Link']}, {value}"
                response[header] = value
        return response


class SignedInApi(ApiView):
    """The base of every /api/v1/ view. Set `deprecation` on a view that will go."""

    # (The docstring is the schema's description of operations that have none of their
    # own, so it stays ApiView's.) Every method needs an account, reads too (401
    # otherwise); the default permission classes after that still apply: a token's scopes,
    # `read` for GET, `write` otherwise, or the view's `required_scope`.

    def get_permissions(self) -> list[Any]:
        rest = [
            p for p in super().get_permissions() if not isinstance(p, IsAuthenticatedOrReadOnly)
        ]
        return [IsAuthenticated(), *rest]


class MentorApi(SignedInApi):
    """A mentor's write: signed in, and with a token the `moderate` scope."""

    # A token never has more than its owner's role now; whether this person may do this to
    # this object is the service's call, as for the pages.

    required_scope = "moderate"


# --- What every door repeats ------------------------------------------------------------


def found[T](value: T | None) -> T:
    """What a selector returned for this viewer, or a 404 problem: what the viewer cannot
    see (a hidden post, a draft, another person's things) does not exist for them."""
    if value is None:
        raise Http404
    return value


def known[T](value: T | None, field: str, message: str) -> T:
    """What an id or slug in the body names, or a 400 problem on that field."""
    if value is None:
        raise ValidationError({field: [message]})
    return value


def require(allowed: bool, message: str) -> None:
    """A refusal at the door itself (the services refuse everything else): a 403 problem."""
    if not allowed:
        raise PermissionDenied(message)


def optional_field(serializer_class: type[serializers.Serializer], request: Request,
                   name: str, default: Any = "") -> Any:  # fmt: skip
    """One field of a body the client may leave out entirely (no body: `default`)."""
    if not request.data:
        return default
    return body_params(serializer_class, request)[name]


_PK = 987654321


@cache
def url_pattern(name: str) -> str:
    """A route's URL with `{}` for its id, reversed once per process (never once per row)."""
    return reverse(name, args=[_PK]).replace(str(_PK), "{}")


def api_url(request: Request, name: str, pk: int) -> str:
    return request.build_absolute_uri(url_pattern(name).format(pk))


def _rate_limit(request: Any) -> tuple[int, int, int] | None:
    return getattr(request, "rate_limit", None) or getattr(
        getattr(request, "_request", None), "rate_limit", None
    )


def _matches(header: str, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return etag in tags


def _not_modified(response: HttpResponse) -> HttpResponse:
    not_modified = HttpResponseNotModified()
    for header in ("ETag", "Last-Modified", "Vary", "Cache-Control", "Link", "RateLimit-Limit",
                   "RateLimit-Remaining", "RateLimit-Reset"):  # fmt: skip
        if header in response:
            not_modified[header] = response[header]
    return not_modified


# --- Keyset pages ---------------------------------------------------------------------


class PageQuery(serializers.Serializer):
    """`after` / `before` (opaque cursors from `next` / `previous`) and `limit` (1 to 100)."""

    after = serializers.CharField(required=False, max_length=200)
    before = serializers.CharField(required=False, max_length=200)
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT
    )

    def validate(self, attrs: dict) -> dict:
        if attrs.get("after") and attrs.get("before"):
            raise serializers.ValidationError("Give `after` or `before`, not both.")
        return attrs


def query_params(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    """Validated query parameters (400 problem with per-parameter errors otherwise)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _page_url(request: Request, **cursor: str) -> str:
    params = request.query_params.copy()
    params.pop("after", None)
    params.pop("before", None)
    for key, value in cursor.items():
        params[key] = value
    return request.build_absolute_uri(request.path + "?" + params.urlencode())


def page_cursors(
    rows: list[Any],
    *,
    further: str | None,
    backward: bool,
    had_cursor: bool,
    cursor_of: Callable[[Any], str],
) -> tuple[str | None, str | None]:
    """(next, previous) for a page a selector returned. `further` is the selector's own
    cursor onward in the direction it read (`backward` reads the page before a cursor)."""
    if backward:
        return (cursor_of(rows[-1]) if rows else None), further
    return further, (cursor_of(rows[0]) if had_cursor and rows else None)


def keyset_response(
    request: Request,
    results: list[Any],
    *,
    next_cursor: str | None,
    previous_cursor: str | None,
    extra: dict[str, Any] | None = None,
) -> Response:
    next_url = _page_url(request, after=next_cursor) if next_cursor else None
    previous_url = _page_url(request, before=previous_cursor) if previous_cursor else None
    links = []
    if next_url:
        links.append(f'<{next_url}>; rel="next"')
    if previous_url:
        links.append(f'<{previous_url}>; rel="prev"')
    body = {"next": next_url, "previous": previous_url, **(extra or {}), "results": results}
    headers = {"Link": ", ".join(links)} if links else None
    return Response(body, headers=headers)


def keyset_serializer(name: str, item: type[serializers.Serializer], **extra: Any):
    """The schema of a page of `item` (for drf-spectacular)."""
    fields = {
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
        "previous": serializers.URLField(
            allow_null=True, help_text="The page before, or null on the first page."
        ),
        **extra,
        "results": item(many=True),
    }
    return type(name, (serializers.Serializer,), fields)


# --- Input ------------------------------------------------------------------------------


class StrictInput(serializers.Serializer):
    """A request body with only the fields named here. Anything else (`author`, `role`,
    `score`, `is_hidden`, `accepted`, counters...) is refused with a 400 naming it, never
    written: the services take only what the door hands them.

    `exactly_one_of` names fields of which a body must give one, never two (the schema says
    so with `oneOf`)."""

    exactly_one_of: tuple[str, ...] = ()

    def validate(self, attrs: dict) -> dict:
        if self.exactly_one_of and sum(name in attrs for name in self.exactly_one_of) != 1:
            names = " or ".join(f"`{name}`" for name in self.exactly_one_of)
            raise serializers.ValidationError(f"Give {names}, one of them.")
        return attrs

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: ["This field cannot be set here."] for key in unknown}
                )
        return super().to_internal_value(data)


def request_example(summary: str, value: dict[str, Any]):
    """A class decorator for an input serializer: the example body the schema shows on
    every operation that takes it (a view's own `extend_schema(examples=...)` wins).
    hub/tests/test_api_schema.py checks that every body has one and that each is valid
    against its schema; the fuzzer (`make test-api-fuzz`) sends them too."""
    return extend_schema_serializer(
        examples=[OpenApiExample(summary, value=value, request_only=True)]
    )


# The common form of a link the services accept (hub/links.py has every rule: IDN hosts,
# special-use names, IP literals...). In the schema only: the service is the judge, and
# its refusal is a 400 on the field, as on the pages.
LINK_PATTERN = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?$"
)
_LINK_HELP = "An http(s) link to a public host (no IP addresses, no user:password@)."


@extend_schema_field({"type": "string", "format": "uri", "maxLength": 500,
                      "pattern": LINK_PATTERN, "description": _LINK_HELP})  # fmt: skip
class LinkInput(serializers.CharField):
    """A link in a body: a string whose schema shows the form the services accept."""


@extend_schema_field({"type": "string", "maxLength": 500, "pattern": f"^$|{LINK_PATTERN}",
                      "description": _LINK_HELP + " Empty: none."})  # fmt: skip
class OptionalLinkInput(serializers.CharField):
    """A link that may be left empty."""


def link_field(*, max_length: int, required: bool = True, allow_blank: bool = False):
    if allow_blank:
        return OptionalLinkInput(max_length=max_length, required=required, allow_blank=True)
    return LinkInput(max_length=max_length, required=required)


def body_params(serializer_class: type[serializers.Serializer], request: Request,
                partial: bool = False) -> dict:  # fmt: skip
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
