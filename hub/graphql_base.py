"""What every app's graphql.py shares: the request context, batch loading, connections,
global ids and the one mapping of domain refusals to typed errors.

hub imports no app: the schema itself is composed in hub/graphql.py from each app's
graphql.py (the only upward imports, like hub/urls.py).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import strawberry
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode
from strawberry import relay
from strawberry.annotation import StrawberryAnnotation
from strawberry.django.context import StrawberryDjangoContext
from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField

from hub.errors import RateLimited

#: The most rows one connection returns (`first`/`last` above it are refused).
MAX_PAGE = 100

T = TypeVar("T")


# --- The context --------------------------------------------------------------------------


class Batch:
    """A synchronous DataLoader: the first time a nested field is asked of one row, it
    is loaded for every row listed beside it (its siblings), in one query.

    Resolvers that return a list call `siblings(rows)`; a nested field's resolver calls
    `load(name, row, fetch)` where `fetch(rows) -> {row.pk: value}` is a selector call.
    The ORM is synchronous, so strawberry's async DataLoader does not fit the sync view.
    """

    def __init__(self) -> None:
        self._groups: dict[tuple[str, Any], tuple[Any, ...]] = {}
        self._values: dict[tuple[str, str, Any], Any] = {}
        self._beside: dict[tuple[str, tuple[str, ...]], bool] = {}

    def siblings(self, rows: Sequence[T]) -> Sequence[T]:
        group = tuple(rows)
        for row in rows:
            self._groups[(type(row).__name__, row.pk)] = group
        return rows

    def load(
        self,
        name: str,
        row: Any,
        fetch: Callable[[list[Any]], dict[Any, Any]],
        default: Callable[[], Any] = lambda: None,
        children: bool = False,
    ) -> Any:
        """`children=True`: the values are lists of rows, all of which become siblings of
        one another (every answer of every question on the page, for their comments)."""
        kind = type(row).__name__
        key = (name, kind, row.pk)
        if key not in self._values:
            group = self._groups.get((kind, row.pk), (row,))
            missing = [r for r in group if (name, kind, r.pk) not in self._values]
            if all(r.pk != row.pk for r in missing):
                missing.append(row)
            found = fetch(missing)
            if children:
                self.siblings([child for rows in found.values() for child in rows])
            for r in missing:
                self._values[(name, kind, r.pk)] = found[r.pk] if r.pk in found else default()
        return self._values[key]

    def loaded(self, name: str, row: Any) -> bool:
        """Whether `load(name, row, ...)` already ran for this row (or a sibling of it)."""
        return (name, type(row).__name__, row.pk) in self._values


def _fields_of(selection_set: Any, fragments: dict[str, Any]) -> Iterable[FieldNode]:
    """The fields of a selection set, its fragments (named and inline) spread in."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields_of(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:  # validation refuses unknown and cyclic fragments
                yield from _fields_of(fragment.selection_set, fragments)


def selected_beside(info: Info, name: str) -> bool:
    """Whether the document also asks the object whose field is resolving for its field
    `name` (`answers` beside `acceptedAnswer`), so that one load can serve both. Found by
    following the response path through the operation (aliases, fragments and inline
    fragments included); type conditions and @skip/@include are not evaluated, so it may
    say yes for a field that will not run (which only costs a load), never no for one
    that will. Remembered per path (without list indices) for the request."""
    parent = info.path.prev
    keys = tuple(key for key in (parent.as_list() if parent else []) if isinstance(key, str))
    remembered = batch(info)._beside
    if (name, keys) not in remembered:
        raw = info._raw_info
        nodes: list[Any] = [raw.operation]
        for key in keys:
            nodes = [
                field
                for node in nodes
                if node.selection_set is not None
                for field in _fields_of(node.selection_set, raw.fragments)
                if (field.alias or field.name).value == key
            ]
        remembered[(name, keys)] = any(
            field.name.value == name
            for node in nodes
            if node.selection_set is not None
            for field in _fields_of(node.selection_set, raw.fragments)
        )
    return remembered[(name, keys)]


def pks(rows: Iterable[Any]) -> list[Any]:
    return [row.pk for row in rows]


@dataclass
class Context(StrawberryDjangoContext):
    """Who is asking (the session's user or a token's), and with which scopes."""

    user: Any = None
    # Whether the request may do what a scope names (`read`, `write`, `moderate`): always
    # for a session (the services decide); the token's check for a bearer token.
    allows: Callable[[str], bool] = lambda scope: True
    batch: Batch = field(default_factory=Batch)


def viewer(info: Info) -> Any:
    user = getattr(info.context, "user", None)
    return user if user is not None else AnonymousUser()


def batch(info: Info) -> Batch:
    return info.context.batch


# --- Fields never kept by the result cache -------------------------------------------------

#: The metadata key `uncached` sets (hub.graphql_cache reads it).
UNCACHED = "nexus_uncached"


def uncached(reason: str) -> dict[str, str]:
    """Field metadata for a value that may change with no write to the database (the clock,
    a setting, something kept outside it): a document that selects the field is never
    answered from hub.graphql_cache.

        @strawberry.field(description="...", metadata=uncached("the clock: next_attempt_at"))
    """
    return {UNCACHED: reason}


# --- Global ids ---------------------------------------------------------------------------


def decode_id(raw: str | relay.GlobalID, type_name: str) -> int | None:
    """The primary key inside a global id of `type_name`, or None for anything else (a
    malformed id, or another type's): callers then answer null, never an error that
    tells one kind of missing from another."""
    if isinstance(raw, relay.GlobalID):
        gid = raw
    else:
        try:
            gid = relay.GlobalID.from_id(raw)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            return None
    if gid.type_name != type_name:
        return None
    try:
        pk = int(gid.node_id)
    except ValueError:
        return None
    return pk if pk > 0 else None


def encode_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def nodes_by_ids(
    node_ids: Iterable[str], get_many: Callable[[list[int]], dict[int, Any]], required: bool
) -> list[Any]:
    """relay `resolve_nodes` over a selector that returns only what the viewer may see."""
    pks = []
    for raw in node_ids:
        try:
            pks.append(int(raw))
        except (TypeError, ValueError):
            pks.append(0)
    found = get_many([pk for pk in pks if pk > 0])
    return [found.get(pk) for pk in pks]


# --- Connections --------------------------------------------------------------------------


def page_request(first: int | None, last: int | None) -> tuple[int, bool]:
    """(limit, backward) from a connection's `first`/`last`: exactly one is required and
    it is at most MAX_PAGE."""
    if (first is None) == (last is None):
        raise GraphQLError("Pass exactly one of `first` or `last` (at most 100).")
    size = first if first is not None else last
    if size < 1 or size > MAX_PAGE:
        raise GraphQLError(f"`first` and `last` must be between 1 and {MAX_PAGE}.")
    return size, last is not None


@strawberry.type(name="Connection", description="A page of a list, with its place in the whole.")
class Connection(relay.Connection[relay.NodeType]):
    """relay's connection plus `totalCount`, counted only when a query asks for it."""

    count_of: strawberry.Private[Callable[[], int] | None] = None

    @strawberry.field(
        description="How many items the whole list holds, as the viewer may see them (one "
        "COUNT query, run only when this field is asked for)."
    )
    def total_count(self) -> int:
        if self.count_of is None:
            return len(self.edges)
        return self.count_of()


@dataclass(frozen=True)
class Page:
    """What a connection's `first`/`after`/`last`/`before` ask for: `limit` rows, read
    backward for `last`, from `cursor` (`before` for `last`, `after` for `first`)."""

    limit: int
    backward: bool
    cursor: str | None

    def connection(
        self,
        cls: type,
        rows: Sequence[Any],
        *,
        cursor_of: Callable[[Any], str],
        more: bool,
        count: Callable[[], int] | None = None,
        has_cursor: bool | None = None,
    ) -> Any:
        """A relay connection over one keyset page. `more` says whether rows remain in
        the direction asked; `has_cursor` (default: a cursor was given) whether rows exist
        on the other side, as far as a keyset can tell without another query; `count`
        counts the whole list for `totalCount` (only called when asked)."""
        started = bool(self.cursor) if has_cursor is None else has_cursor
        edges = [relay.Edge(cursor=cursor_of(row), node=row) for row in rows]
        page_info = relay.PageInfo(
            has_next_page=started if self.backward else more,
            has_previous_page=more if self.backward else started,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return cls(edges=edges, page_info=page_info, count_of=count)

    def single(self, cls: type, rows: Sequence[Any], *, cursor_of: Callable[[Any], str]) -> Any:
        """A connection holding one complete, unpaged answer (search hits, an empty list)."""
        return Page(self.limit, False, None).connection(
            cls, rows, cursor_of=cursor_of, more=False, count=lambda: len(rows)
        )


def _argument(name: str, annotation: Any, description: str) -> StrawberryArgument:
    return StrawberryArgument(
        python_name=name,
        graphql_name=None,
        type_annotation=StrawberryAnnotation(annotation),
        description=description,
        default=None,
    )


class Paginated(FieldExtension):
    """The connection arguments, once for the whole schema: a field with
    `extensions=[Paginated()]` gets `first`/`after`/`last`/`before`, checked here (exactly
    one of `first` or `last`, 1 to MAX_PAGE), and its resolver receives them as one
    `page: Page` argument (which is not part of the schema)."""

    def apply(self, field: StrawberryField) -> None:  # type: ignore[override]
        kept = [argument for argument in field.arguments if argument.python_name != "page"]
        field.arguments = [
            _argument("first", int | None, "Rows from the start (1-100)."),
            _argument("after", str | None, "A cursor to start after."),
            _argument("last", int | None, "Rows before the end (1-100)."),
            _argument("before", str | None, "A cursor to end before."),
            *kept,
        ]

    def resolve(  # type: ignore[override]
        self,
        next_: Callable[..., Any],
        source: Any,
        info: Info,
        *,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        **kwargs: Any,
    ) -> Any:
        limit, backward = page_request(first, last)
        page = Page(limit=limit, backward=backward, cursor=before if backward else after)
        return next_(source, info, page=page, **kwargs)


# --- Refusals -------------------------------------------------------------------------------


@strawberry.type(description="Why a mutation was refused: one entry per problem.")
class UserError:
    message: str = strawberry.field(description="What went wrong, in words for the person.")
    field: list[str] | None = strawberry.field(
        description='The path of the input field at fault (e.g. `["input", "title"]`), '
        "or null when the refusal concerns the whole action."
    )
    code: str = strawberry.field(
        description="A stable machine code: `forbidden`, `rate_limited`, `invalid`, "
        "`not_found`, or a field validator's own code."
    )


def refusal_errors(error: Exception, *, prefix: Sequence[str] = ("input",)) -> list[UserError]:
    """The one mapping of the domain's refusals for the whole schema: a service's
    PermissionDenied (RateLimited) or ValidationError becomes typed errors with field
    paths. Field names are turned into the schema's camelCase."""
    if isinstance(error, RateLimited):
        return [UserError(message=str(error) or "Too many posts.", field=None, code="rate_limited")]
    if isinstance(error, PermissionDenied):
        return [
            UserError(message=str(error) or "You cannot do that.", field=None, code="forbidden")
        ]
    if isinstance(error, ValidationError):
        errors: list[UserError] = []
        if hasattr(error, "error_dict"):
            for name, items in error.error_dict.items():
                path = None if name == "__all__" else [*prefix, _camel(name)]
                for item in items:
                    errors.extend(_messages(item, path))
        else:
            for item in error.error_list:
                errors.extend(_messages(item, None))
        return errors
    raise error


def _messages(item: ValidationError, path: list[str] | None) -> list[UserError]:
    return [UserError(message=message, field=path, code=item.code or "invalid") for message in item]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def not_found(what: str, field_name: str = "id") -> list[UserError]:
    """A target the viewer may not see is reported exactly like one that does not exist."""
    return [UserError(message=f"No such {what}.", field=["input", field_name], code="not_found")]


#: Every mutation takes one `input` argument: `input: Annotated[XInput, INPUT]`.
INPUT = strawberry.argument(description="The mutation's input.")


@strawberry.interface(description="What every mutation returns: its errors, empty on success.")
class Payload:
    errors: list[UserError] = strawberry.field(
        description="Why the mutation was refused; empty when it succeeded."
    )


def run_service[R](call: Callable[[], R]) -> tuple[R | None, list[UserError]]:
    """Call a service: (its result, []) or (None, the refusal as typed errors)."""
    try:
        return call(), []
    except (PermissionDenied, ValidationError) as error:
        return None, refusal_errors(error)


def require_scope(info: Info, scope: str) -> None:
    """Tokens carry scopes (`read`, `write`, `moderate`); a session may do what its user
    may. A refusal is a PermissionDenied, mapped like any other."""
    allows = getattr(info.context, "allows", None)
    if allows is not None and not allows(scope):
        raise PermissionDenied(f"This token does not allow `{scope}`.")


def target(raw: relay.GlobalID | str, type_name: str, get: Callable[[int], Any]) -> Any:
    """The object a mutation acts on, loaded by the viewer's own selector: None for a
    malformed id, another type's id, or something the viewer may not see (the mutation
    then answers `not_found`, the same for all three)."""
    pk = decode_id(raw, type_name)
    return None if pk is None else get(pk)


# --- Subscriptions --------------------------------------------------------------------------


@dataclass
class SocketContext:
    """The context of an operation over the GraphQL socket (/ws/graphql/): the consumer,
    the session's user (AuthMiddlewareStack; refreshed by the consumer when the account
    changes, so a new role applies to the next push), and a batch renewed for each
    pushed event."""

    request: Any
    ws: Any
    allows: Callable[[str], bool] = lambda scope: True
    batch: Batch = field(default_factory=Batch)

    @property
    def user(self) -> Any:
        return self.ws.scope.get("user")


async def live_events(info: Info, topic: str, names: set[str]) -> Any:
    """Yield the ids of the live events named `names` on a live topic (`question:42`,
    `user:me`), after authorising it with the topic's own check (hub.live, the same the
    page's socket uses). A refused topic raises a GraphQLError the client sees.

    The subscription ends (the client gets `complete`) when the topic's object changes
    who may see it and this viewer no longer may (a `live.recheck` on the topic, sent
    before the change's own event), and nothing more is pushed once the socket is
    closing (access ended: hub.consumers.FollowsAccess)."""
    from channels.db import database_sync_to_async

    from hub import live

    allowed = await database_sync_to_async(live.topics_authorize)(viewer(info), [topic])
    if not allowed:
        raise GraphQLError("You cannot follow that: it does not exist or is not yours to see.")
    [(topic_key, group)] = allowed.items()
    ws = info.context.ws
    ws.subscribed[topic_key] += 1
    try:
        async with ws.listen_to_channel("live.event", groups=[group]) as messages:
            async for message in messages:
                if ws.closing:
                    return
                if message.get("topic") != topic_key:
                    continue  # another subscription's topic on the same socket
                if message.get("recheck"):
                    still = await database_sync_to_async(live.topics_authorize)(
                        viewer(info), [topic_key]
                    )
                    if topic_key not in still:
                        return
                    continue
                event = message.get("event") or {}
                if event.get("name") in names and isinstance(event.get("id"), int):
                    info.context.batch = Batch()  # each push reads the database afresh
                    yield event["id"]
    finally:
        ws.subscribed[topic_key] -= 1
