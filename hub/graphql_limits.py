"""Limits that keep one GraphQL query from hurting everyone: the cost of a query, counted
from its document before anything runs, against a per-query maximum and a per-person
budget per minute kept in the cache (Redis in production). Every response reports the
cost in `extensions.cost` (as GitHub's and Shopify's APIs do); strawberry ships depth,
alias and token limits but no cost limiter, so this is ours.

The cost model (docs/graphql.md explains it to clients):
- a field that returns an object costs 1; scalars and `__typename` cost nothing;
- a connection multiplies what is inside it by its `first`/`last` (100 when unknown);
- a plain list (a question's answers, an answer's comments) multiplies by LIST_ESTIMATE;
- a connection's `totalCount` costs 1 (it is one COUNT query);
- each mutation field costs MUTATION_COST more (a write does more than a read).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    VariableNode,
    get_operation_ast,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

logger = logging.getLogger(__name__)

LIST_ESTIMATE = 5
MUTATION_COST = 10
DEFAULT_PAGE = 100


def _unwrap(type_: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            is_list = True
        type_ = type_.of_type
    return type_, is_list


def _page_size(node: FieldNode, variables: dict[str, Any]) -> int:
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            value = argument.value
            raw = (
                variables.get(value.name.value)
                if isinstance(value, VariableNode)
                else value_from_ast_untyped(value, variables)
            )
            if isinstance(raw, int) and raw > 0:
                return raw
    return DEFAULT_PAGE


class _Counter:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any]) -> None:  # fmt: skip
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selections(self, parent: Any, selection_set: Any, edges: int = LIST_ESTIMATE) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, edges)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(target, selection.selection_set, edges)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selections(target, fragment.selection_set, edges)
        return total

    def field(self, parent: Any, node: FieldNode, edges: int) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return 0
        named, is_list = _unwrap(definition.type)
        if node.name.value == "totalCount" and parent.name.endswith("Connection"):
            return 1
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType) and not hasattr(
            named, "types"
        ):
            return 0  # scalars and enums
        if named.name.endswith("Connection"):
            size = _page_size(node, self.variables)
            return 1 + self.selections(named, node.selection_set, edges=size)
        inner = self.selections(named, node.selection_set)
        if is_list and parent.name.endswith("Connection"):
            return edges * inner  # an edge is only the way to its node
        if is_list:
            return LIST_ESTIMATE * (1 + inner)
        return 1 + inner


def query_cost(schema: GraphQLSchema, document: Any, operation_name: str | None,
               variables: dict[str, Any] | None) -> int:  # fmt: skip
    """The cost of the operation a document runs (0 when it names none that exists)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    counter = _Counter(schema, fragments, variables or {})
    root = schema.get_root_type(operation.operation)
    cost = counter.selections(root, operation.selection_set)
    if isinstance(operation, OperationDefinitionNode) and operation.operation.value == "mutation":
        cost += MUTATION_COST * len(operation.selection_set.selections)
    return cost


def _budget_key(user: Any, request: Any) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        who = f"u{user.pk}"
    else:
        who = "a" + str(getattr(request, "META", {}).get("REMOTE_ADDR", "?"))
    return f"graphql:cost:{who}:{int(time.time() // 60)}"


def _spend(key: str, cost: int) -> int:
    """Add `cost` to this minute's counter (kept 61 s) and return the total. On Redis one
    round trip (SET NX with its expiry, then INCRBY, pipelined), where the cache API's
    add + incr costs three (Django's incr asks EXISTS first); elsewhere (the embedded
    default's local memory) add + incr."""
    client_of = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_of is None:
        cache.add(key, 0, timeout=61)
        return cache.incr(key, cost)
    full = cache.make_and_validate_key(key)
    pipe = client_of(full, write=True).pipeline(transaction=False)
    pipe.set(full, 0, ex=61, nx=True)
    pipe.incrby(full, cost)
    return int(pipe.execute()[1])


def charge(*, user: Any, request: Any, cost: int) -> tuple[dict[str, Any], str | None]:
    """Spend `cost` of the person's (or address's) budget this minute: (the report for
    `extensions.cost`, the refusal in words or None). A cost over the per-query maximum,
    or over what is left of the budget, is refused and spends nothing. Used by CostLimit
    before a query runs and by hub.graphql_cache for a result served from the cache, so a
    cached answer costs what a computed one does."""
    maximum = settings.GRAPHQL_MAX_COST
    budget = settings.GRAPHQL_COST_BUDGET_PER_MINUTE
    refusal = None
    spent = 0
    if cost > maximum:
        refusal = (
            f"This query would cost {cost}, over the maximum of {maximum} per query: "
            "ask for fewer rows (`first`/`last`) or fewer nested lists."
        )
    else:
        key = _budget_key(user, request)
        try:
            spent = _spend(key, cost)
        except Exception as error:  # noqa: BLE001 - a cache outage must not stop reads
            logger.warning("graphql: cost budget unavailable (%s); not counted", error)
            spent = cost
        if spent > budget:
            with contextlib.suppress(Exception):  # best effort: the key expires anyway
                cache.decr(key, cost)
            spent -= cost
            refusal = (
                f"This query would cost {cost}, more than the {max(budget - spent, 0)} "
                f"left of your budget of {budget} per minute: wait for the next minute."
            )
    report: dict[str, Any] = {
        "requestedQueryCost": cost,
        "maximumQueryCost": maximum,
        "throttleStatus": {
            "maximumAvailable": budget,
            "currentlyAvailable": max(budget - spent, 0),
            "resetInSeconds": 60 - int(time.time() % 60),
        },
    }
    if refusal is not None:
        report["refused"] = True
    return report, refusal


def refused(refusal: str) -> GraphQLExecutionResult:
    """The result of a query refused by `charge`."""
    return GraphQLExecutionResult(
        data=None, errors=[GraphQLError(refusal, extensions={"code": "QUERY_COST_LIMIT"})]
    )


class CostLimit(SchemaExtension):
    """Refuses an operation whose cost is over the per-query maximum or over what is left
    of the person's budget this minute, before it runs (`charge`); reports the cost in
    every response's `extensions.cost`."""

    def __init__(self, *, execution_context: Any = None) -> None:
        self.report: dict[str, Any] = {}

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        cost = query_cost(
            context.schema._schema,
            context.graphql_document,
            context.operation_name,
            context.variables,
        )
        ctx = context.context
        self.report, refusal = charge(
            user=getattr(ctx, "user", None), request=getattr(ctx, "request", None), cost=cost
        )
        if refusal is not None:
            context.result = refused(refusal)
        yield

    def get_results(self) -> dict[str, Any]:
        if not self.report:
            return {"cost": {"requestedQueryCost": 0}}
        return {"cost": self.report}
