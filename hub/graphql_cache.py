"""Whole GraphQL results from the cache, never stale: the GraphQL equivalent of kept pages
(hub/page_cache.py). hub.graphql.GraphQLView.execute_single goes through `execute`.

What is kept: the `data` of a POST operation of type `query` that ran without errors, with
its cost, under

- the viewer: `a` (anonymous), `u<pk>` (a session's user) or `t<token pk>:<sorted scopes>`
  (a bearer token), plus `:s<until>` while the account is suspended (a suspension that ends
  by the clock, with no write, is another key from then on; the entry's timeout also stops
  at its end);
- a digest of the document text, the variables, `operationName`, the request's
  `extensions`, whether introspection is allowed (GRAPHQL_INTROSPECTION) and the schema
  itself (a deploy that changes the schema changes every key).

Never stale: every entry depends on ("pages", "") (and, as every hub.cache entry, on
("site", "")), which hub.cache bumps after every SQL write commits (hub.page_cache watches
every connection): a write is visible on the very next read. Entries also expire after
SECONDS, and are kept in each process too (hub.cache `local`).

Never kept: mutations and subscriptions, GET, anything with errors, and documents that select
a field whose value can change with no write (field metadata `uncached(reason)` from
hub.graphql_base: the clock, e.g. `GuideSection.mayBeOutOfDate`). Whether a document may be
kept is decided once per process and document (it is parsed once for that).

A hit still
- checks the token's `read` scope (a refusal runs the query's normal path, which refuses),
- spends the viewer's budget and reports `extensions.cost` (hub.graphql_limits.charge, the
  same function CostLimit uses), refused exactly as a computed query would be.

NEXUS_CACHE=false turns it off; a cache outage is a miss (hub.cache), never an error.
Decision: docs/decisions/0031-graphql-result-cache.md.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_operation_ast,
    is_abstract_type,
    parse,
    visit,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import ExecutionResult

from hub import cache, graphql_limits
from hub.graphql_base import UNCACHED

NAME = "graphql"
#: How long a result is kept (writes make it unreachable at once; see the docstring).
SECONDS = 300
#: How many documents' verdicts each process remembers (then it starts again).
VERDICTS_MAX = 2048
DEPS = [("pages", "")]

# {digest of (document, operationName): None when it may be kept, else why not}
_verdicts: dict[str, str | None] = {}
# {id(schema): (its digest, {(type name, field name): why it is never kept})}
_schemas: dict[int, tuple[str, dict[tuple[str, str], str]]] = {}


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def _schema_facts(schema: Any) -> tuple[str, dict[tuple[str, str], str]]:
    """The schema's digest (its SDL) and its fields marked `uncached`, once per process."""
    facts = _schemas.get(id(schema))
    if facts is None:
        core: GraphQLSchema = schema._schema
        marked: dict[tuple[str, str], str] = {}
        for type_name, type_ in core.type_map.items():
            for field_name, definition in (getattr(type_, "fields", None) or {}).items():
                field = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
                reason = (getattr(field, "metadata", None) or {}).get(UNCACHED)
                if reason:
                    marked[(type_name, field_name)] = reason
        sdl = hashlib.blake2b(schema.as_str().encode(), digest_size=12).hexdigest()
        facts = _schemas[id(schema)] = (sdl, marked)
    return facts


class _UncachedFinder(Visitor):
    """Finds the first field of a document marked `uncached` (fragments included, type
    conditions and @skip/@include not evaluated: it may say yes for a field that would not
    run, never no for one that would)."""

    def __init__(self, core: GraphQLSchema, info: TypeInfo, marked: dict) -> None:
        super().__init__()
        self.core, self.info, self.marked = core, info, marked
        self.reason: str | None = None

    def enter_field(self, node: Any, *args: Any) -> Any:
        parent = self.info.get_parent_type()
        if parent is None:
            return None
        types = [parent]
        if is_abstract_type(parent):
            types += self.core.get_possible_types(parent)
        for type_ in types:
            reason = self.marked.get((type_.name, node.name.value))
            if reason:
                self.reason = f"{type_.name}.{node.name.value}: {reason}"
                return self.BREAK
        return None


def _judge(schema: Any, query: str, operation_name: str | None, max_tokens: int) -> str | None:
    """None when the result of this document may be kept, else why not."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return "not a valid document"
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return "no such operation"
    if operation.operation is not OperationType.QUERY:
        return f"a {operation.operation.value}"
    core: GraphQLSchema = schema._schema
    _, marked = _schema_facts(schema)
    if not marked:
        return None
    info = TypeInfo(core)
    finder = _UncachedFinder(core, info, marked)
    visit(document, TypeInfoVisitor(info, finder))
    return finder.reason


def verdict(schema: Any, query: str, operation_name: str | None, max_tokens: int) -> str | None:
    """`_judge`, remembered per document in this process."""
    key = _digest([query, operation_name])
    if key not in _verdicts:
        if len(_verdicts) >= VERDICTS_MAX:
            _verdicts.clear()
        _verdicts[key] = _judge(schema, query, operation_name, max_tokens)
    return _verdicts[key]


def viewer_key(context: Any) -> tuple[str, float | None]:
    """(who, when their suspension ends or None): the viewer part of the key."""
    token = getattr(getattr(context, "request", None), "api_token", None)
    user = getattr(context, "user", None)
    if token is not None:
        who = f"t{token.pk}:{','.join(sorted(str(s) for s in token.scopes))}"
    elif user is None or not user.is_authenticated:
        return "a", None
    else:
        who = f"u{user.pk}"
    if getattr(user, "is_suspended", False):
        until = user.suspended_until.timestamp()
        return f"{who}:s{int(until)}", until
    return who, None


def execute(
    *,
    schema: Any,
    method: str,
    context: Any,
    data: Any,
    run: Callable[[], ExecutionResult],
    max_tokens: int,
) -> ExecutionResult:
    """The result of one operation: from the cache when it may be kept and is there, else
    `run()` (strawberry's execution), kept when it may be."""
    if (
        not settings.NEXUS_CACHE
        or method != "POST"
        or not isinstance(data.query, str)
        or verdict(schema, data.query, data.operation_name, max_tokens) is not None
        or not context.allows("read")  # the normal path refuses it (TokenScopes)
    ):
        return run()
    who, until = viewer_key(context)
    timeout = SECONDS
    if until is not None:
        timeout = max(1, min(SECONDS, int(until - time.time())))
    sdl, _ = _schema_facts(schema)
    digest = _digest(
        [
            data.query,
            data.variables,
            data.operation_name,
            data.extensions,
            bool(settings.GRAPHQL_INTROSPECTION),
            sdl,
        ]
    )
    computed: dict[str, ExecutionResult] = {}

    def compute() -> tuple[dict[str, Any], int] | None:
        result = computed["result"] = run()
        cost = ((result.extensions or {}).get("cost") or {}).get("requestedQueryCost")
        if result.errors or result.data is None or not isinstance(cost, int):
            return None
        return (result.data, cost)

    entry = cache.fragment(
        NAME,
        compute=compute,
        deps=DEPS,
        parts=[who, digest],
        timeout=timeout,
        local=True,
        keep=lambda value: value is not None,
    )
    if "result" in computed:
        return computed["result"]
    if entry is None:  # (never stored; a defensive miss)
        return run()
    kept, cost = entry
    report, refusal = graphql_limits.charge(
        user=getattr(context, "user", None), request=getattr(context, "request", None), cost=cost
    )
    if refusal is not None:
        refused = graphql_limits.refused(refusal)
        return ExecutionResult(data=None, errors=refused.errors, extensions={"cost": report})
    return ExecutionResult(data=kept, errors=None, extensions={"cost": report})
