"""The GraphQL API at /graphql/: one schema composed from each app's graphql.py (the only
upward imports besides hub/urls.py), its limits, and the synchronous HTTP view.

The view is synchronous (the ORM is); the session authenticates it with CSRF enforced by
Django's middleware, as every other form on the site. GraphiQL is served from our own
static files (static/vendor/graphiql/, no CDN).
"""

from __future__ import annotations

from collections import Counter
from enum import Enum
from typing import Annotated, Any

import strawberry
from channels.db import database_sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, GraphQLSyntaxError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry import relay
from strawberry.channels import GraphQLWSConsumer
from strawberry.django.views import GraphQLView as StrawberryView
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.relay.types import GlobalIDValueError
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import Info
from strawberry.types.cast import cast as strawberry_cast

from accounts import graphql as accounts_graphql
from accounts.permissions import token_allows
from accounts.selectors import token_authenticate
from accounts.services import token_touch
from discussions import graphql as discussions_graphql
from guides import graphql as guides_graphql
from hub import graphql_cache
from hub import search as site_search
from hub.consumers import CLOSE_ACCESS_GONE, FollowsAccess
from hub.graphql_base import Context, SocketContext, batch, viewer
from hub.graphql_limits import CostLimit
from moderation import graphql as moderation_graphql
from notifications import graphql as notifications_graphql
from projects import graphql as projects_graphql
from webhooks import graphql as webhooks_graphql

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
MASKED = "Something went wrong on our side."
DEFINITION_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


# --- The site search -------------------------------------------------------------------
# The same search as the page (/search/): hub.search.search_page over the providers each
# app registers, with their visibility, ranking and escaped snippets; only the shape is
# GraphQL's.


@strawberry.enum(description="The kinds of content the site search finds (the search page's tabs).")
class SearchKind(Enum):
    QUESTIONS = "questions"
    PROJECTS = "projects"
    GUIDE = "guide"


SearchItem = Annotated[
    discussions_graphql.QuestionType
    | projects_graphql.ProjectType
    | guides_graphql.GuideSectionType,
    strawberry.union(
        "SearchItem", description="What a search found: a question, a project or a guide section."
    ),
]


@strawberry.type(description="One thing the search found, as the search page lists it.")
class SiteSearchHit:
    hit: strawberry.Private[site_search.Hit]
    kind: SearchKind = strawberry.field(description="Which kind of content it is.")

    @strawberry.field(description="The question, project or guide section found.")
    def item(self, info: Info) -> SearchItem:
        if self.kind is SearchKind.GUIDE:
            return guides_graphql.section_full(info, self.hit.item)
        return self.hit.item

    @strawberry.field(description='The kind as the page shows it ("Question", "Guide · Django").')
    def label(self) -> str:
        return self.hit.label

    @strawberry.field(description="Its title.")
    def title(self) -> str:
        return self.hit.title

    @strawberry.field(description="The path of its page.")
    def url(self) -> str:
        return self.hit.url

    @strawberry.field(
        description="A passage with the matched words in `<mark>`: HTML, escaped (the text "
        "itself can never carry markup), safe to insert as the page does."
    )
    def snippet(self) -> str:
        return str(self.hit.snippet)

    @strawberry.field(
        description='Where the passage comes from when not the item itself ("In an answer"), '
        "or null."
    )
    def where(self) -> str | None:
        return self.hit.where or None


@strawberry.type(description="One kind's hits (a page of them) and how many it has in all.")
class SiteSearchKindResults:
    kind: SearchKind = strawberry.field(description="The kind.")
    label: str = strawberry.field(description='The kind as the page names it ("Questions").')
    total_count: int = strawberry.field(description="How many of this kind match in all.")
    hits: list[SiteSearchHit] = strawberry.field(
        description="The best hits (without `kind`: the page's first few of each kind; with "
        "it: that kind's page, and none of the others, which are only counted)."
    )


@strawberry.type(description="A site search: every kind's hits and counts, as /search/ shows.")
class SiteSearchResults:
    query: str = strawberry.field(description="What was searched, cleaned as the page does.")
    notices: list[str] = strawberry.field(
        description="What the page would say about the query (cut, nothing to search, past "
        "the last page)."
    )
    total_count: int = strawberry.field(description="How many match, every kind together.")
    page: int = strawberry.field(description="The page of `kind` shown (1 without `kind`).")
    has_next_page: bool = strawberry.field(description="Whether `kind` has a next page.")
    kinds: list[SiteSearchKindResults] = strawberry.field(
        description="Every kind in the page's order, with its count and hits (empty when "
        "there is nothing to search for: see `notices`)."
    )


def _site_search(info: Info, raw: str, kind: SearchKind | None, page: int) -> SiteSearchResults:
    found = site_search.search_page(
        viewer=viewer(info), raw=raw, kind=kind.value if kind else "", page=page
    )
    hits = {section.provider.kind: section.page.hits for section in found.sections}
    kinds = []
    for provider, total in found.counts:
        rows = hits.get(provider.kind, [])
        batch(info).siblings([hit.item for hit in rows])
        kinds.append(
            SiteSearchKindResults(
                kind=SearchKind(provider.kind),
                label=provider.label,
                total_count=total,
                hits=[SiteSearchHit(hit=hit, kind=SearchKind(provider.kind)) for hit in rows],
            )
        )
    return SiteSearchResults(
        query=found.query.text,
        notices=list(found.notices),
        total_count=found.total,
        page=found.page,
        has_next_page=found.has_next,
        kinds=kinds,
    )


@strawberry.type(description="Everything one can read: start from `viewer`, `questions` or `node`.")
class Query(
    accounts_graphql.Query,
    discussions_graphql.Query,
    projects_graphql.Query,
    notifications_graphql.Query,
    moderation_graphql.Query,
    guides_graphql.Query,
    webhooks_graphql.Query,
):
    @strawberry.field(
        description="Any object by its global id, or null when it does not exist, is of no "
        "known type, or the viewer may not see it (all look the same)."
    )
    def node(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="A global id.")],
    ) -> relay.Node | None:
        try:
            node_type = id.resolve_type(info)
        except GlobalIDValueError:
            return None
        if not (isinstance(node_type, type) and issubclass(node_type, relay.Node)):
            return None
        found = node_type.resolve_node(id.node_id, info=info, required=False)
        return None if found is None else strawberry_cast(node_type, found)

    @strawberry.field(
        description="The site search, as its page (/search/) runs it: questions (with their "
        "answers), projects and guide sections the viewer may see, each kind ranked, with "
        'highlighted snippets. Words must all match; "quoted phrases", -excluded words and '
        "tag:name work as on the page. Without `kind`, the best few of each kind; with it, "
        "a page of 20 of that kind."
    )
    def site_search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="What a person typed.")],
        kind: Annotated[
            SearchKind | None,
            strawberry.argument(description="One kind, paged; null for every kind's best."),
        ] = None,
        page: Annotated[
            int, strawberry.argument(description="The page of `kind` (from 1; at most 25).")
        ] = 1,
    ) -> SiteSearchResults:
        return _site_search(info, query, kind, page)


class IntrospectionSetting(SchemaExtension):
    """Introspection is on by default (learners explore the schema in GraphiQL) and off
    with GRAPHQL_INTROSPECTION=false; read per request, so a test can switch it."""

    def on_operation(self):  # type: ignore[override]
        if not settings.GRAPHQL_INTROSPECTION:
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield


class TokenScopes(SchemaExtension):
    """A token reads with `read` and writes with `write` (and, for mentors' actions, the
    mutation asks for `moderate` itself), checked before anything runs; sessions may do
    what their user may."""

    def on_execute(self):  # type: ignore[override]
        context = self.execution_context
        scope = "write" if context.operation_type.value == "mutation" else "read"
        if not context.context.allows(scope):
            context.result = GraphQLExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"This token does not allow `{scope}` (or its owner may not {scope} now).",
                        extensions={"code": "FORBIDDEN"},
                    )
                ],
            )
        yield


class SyncResolversInThreads(SchemaExtension):
    """Subscriptions run in the socket's event loop, but our resolvers are synchronous
    ORM code: while a pushed event is resolved, each custom resolver runs in Channels'
    database thread (a hop per field, acceptable for a push; HTTP stays fully sync).

    Only the socket's (asynchronous) executions carry it: a `resolve` hook makes
    graphql-core call it for every field resolved, and the HTTP view's synchronous
    execution never needs it (`Schema.get_extensions` leaves it out there; figures in
    decision 0013's addendum)."""

    def resolve(self, _next, root, info, *args, **kwargs):  # type: ignore[override]
        if (
            self.execution_context.operation_type.value == "subscription"
            and info.path.prev is not None
        ):
            # `info` here is graphql-core's: the strawberry field (with its resolver) is
            # the schema field's back-reference.
            definition = info.parent_type.fields.get(info.field_name)
            field = definition.extensions.get(DEFINITION_BACKREF) if definition else None
            resolver = getattr(field, "base_resolver", None)
            if resolver is not None and not getattr(field, "is_async", False):
                return database_sync_to_async(_next)(root, info, *args, **kwargs)
        return _next(root, info, *args, **kwargs)


def _should_mask(error: GraphQLError) -> bool:
    """Errors we raise on purpose (GraphQLError: bad arguments, limits) and GraphQL's own
    validation errors are shown; anything else (a bug, a database error) is masked."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class LabelledErrors(MaskErrors):
    """Masks what we did not expect (`_should_mask`) and labels every error with a code
    in `extensions.code`, so a client (and a fuzzer) tells its own mistakes from ours:
    `INTERNAL_SERVER_ERROR` for a masked one; `GRAPHQL_PARSE_FAILED` and
    `GRAPHQL_VALIDATION_FAILED` for a document refused before it ran (the limits among
    them); `BAD_USER_INPUT` for an argument refused while it ran (a malformed id, a page
    size). The codes we set ourselves (`FORBIDDEN`, `QUERY_COST_LIMIT`) are kept. These
    are Apollo's names, which GraphQL clients already know."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if (error.extensions or {}).get("code"):
                continue
            if isinstance(error, GraphQLSyntaxError):
                code = "GRAPHQL_PARSE_FAILED"
            elif error.path is None:
                code = "GRAPHQL_VALIDATION_FAILED"
            else:
                code = "BAD_USER_INPUT"
            error.extensions = {**(error.extensions or {}), "code": code}
        return processed


EXTENSIONS: list[Any] = [
    lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
    lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
    IntrospectionSetting,
    TokenScopes,
    CostLimit,
    SyncResolversInThreads,
    lambda: LabelledErrors(should_mask_error=_should_mask, error_message=MASKED),
]


@strawberry.type(description="Every write, each calling the same service as the pages.")
class Mutation(
    discussions_graphql.Mutation,
    projects_graphql.Mutation,
    notifications_graphql.Mutation,
    moderation_graphql.Mutation,
    guides_graphql.Mutation,
    webhooks_graphql.Mutation,
):
    pass


@strawberry.type(description="Live updates over /ws/graphql/ (graphql-transport-ws).")
class Subscription(discussions_graphql.Subscription, notifications_graphql.Subscription):
    pass


class Schema(strawberry.Schema):
    """strawberry logs every error with its traceback; a client's own mistakes (a
    malformed id, a refused argument, a document over a limit) are answered, not logged,
    as the REST API does not log its 400s. What `_should_mask` masks (our bugs) is logged
    whole, before it is masked."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        super().process_errors([e for e in errors if _should_mask(e)], execution_context)

    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        """The synchronous execution (the HTTP view's `execute_sync`) runs without
        `SyncResolversInThreads`, which only the socket's event loop needs."""
        extensions = super().get_extensions(sync=sync)
        if sync:
            return [e for e in extensions if not isinstance(e, SyncResolversInThreads)]
        return extensions


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=EXTENSIONS,
    config=StrawberryConfig(relay_max_results=100),
)


class GraphQLView(StrawberryView):
    """POST for queries and mutations (GET only renders GraphiQL: a query by GET would let
    another site spend a signed-in person's cost budget)."""

    def get_context(self, request: HttpRequest, response: Any) -> Context:
        token = getattr(request, "api_token", None)
        if token is None:
            return Context(request=request, response=response, user=request.user)
        return Context(
            request=request,
            response=response,
            user=token.user,
            allows=lambda scope: token_allows(token, scope),
        )

    def render_graphql_ide(self, request: HttpRequest) -> HttpResponse:
        return render(request, "hub/graphiql.html", {"endpoint": request.path})

    def execute_single(  # type: ignore[override]
        self,
        request: HttpRequest,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: Any,
    ) -> Any:
        """Each operation through the result cache (hub.graphql_cache): a query's whole
        result kept per viewer and document, never stale, still charged to the budget."""

        def run() -> Any:
            return super(GraphQLView, self).execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )

        return graphql_cache.execute(
            schema=self.schema,
            method=request_adapter.method,
            context=context,
            data=request_data,
            run=run,
            max_tokens=MAX_TOKENS,
        )


_view = GraphQLView.as_view(schema=schema, allow_queries_via_get=False)
_csrf = CsrfViewMiddleware(lambda request: HttpResponse())


def _unauthorized(message: str) -> JsonResponse:
    response = JsonResponse({"errors": [{"message": message}]}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="graphql"'
    return response


@csrf_exempt  # only for requests with a bearer token; cookie auth is checked below
def graphql_view(request: HttpRequest) -> HttpResponse:
    """`Authorization: Bearer <token>` authenticates as the token's owner, with its
    scopes, and ignores any session (no cookie, so no CSRF to forge). Everything else is
    the session, with Django's CSRF check enforced exactly as the middleware would."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() == "bearer":
        token = token_authenticate(raw.strip())
        if token is None:
            return _unauthorized("The token is unknown, revoked or expired.")
        token_touch(token=token)
        request.api_token = token
        return _view(request)
    if header:
        return _unauthorized("Send a token as `Authorization: Bearer <token>`.")
    refusal = _csrf.process_view(request, None, (), {})
    if refusal is not None:
        return refusal
    return _view(request)


class GraphQLSocket(FollowsAccess, GraphQLWSConsumer):
    """/ws/graphql/: subscriptions over graphql-transport-ws, on the same Channels stack
    as /ws/live/ (origin checked, session authenticated by AuthMiddlewareStack, the Redis
    channel layer). Queries and mutations go over HTTP.

    It follows access exactly as the live socket does (hub.consumers.FollowsAccess,
    decision 0012): a suspended or deactivated account is refused at the handshake;
    suspension, deactivation, a role change that loses a topic, signing out (here or
    everywhere) and the session's expiry close it with 4403 (graphql-transport-ws's
    "Forbidden"), which ends every subscription on it. A topic whose object the viewer
    may no longer see (a question hidden or deleted) ends the subscriptions on that topic
    alone (hub.graphql_base.live_events)."""

    async def connect(self) -> None:
        # topic -> how many of this socket's subscriptions follow it (live_events).
        self.subscribed: Counter[str] = Counter()
        if self._access_refused(self.scope.get("user")):
            self.closing = True
            await self.close(code=CLOSE_ACCESS_GONE)
            return
        expires_at = await self._access_join()
        await super().connect()
        self._access_watch(expires_at)

    async def disconnect(self, code: int) -> None:
        await self._access_leave()
        if self.run_task is not None:
            await super().disconnect(code)

    async def dispatch(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "access.changed":
            await self.access_changed(message)
        elif kind == "access.ended":
            await self.access_ended(message)
        elif kind == "live.recheck":
            # Handed to the subscriptions as an event of their topic, in order: each
            # re-checks its topic before anything queued behind it.
            await super().dispatch({**message, "type": "live.event", "recheck": True})
        else:
            await super().dispatch(message)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:  # type: ignore[override]
        """Nothing goes out once access ended (the subscriptions' own `complete` either)."""
        if not self.closing:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    def _followed_topics(self) -> list[str]:
        return [topic for topic, count in self.subscribed.items() if count > 0]

    async def get_context(self, request: Any, response: Any) -> SocketContext:
        return SocketContext(request=request, ws=request)


graphql_socket = GraphQLSocket.as_asgi(
    schema=schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,)
)
