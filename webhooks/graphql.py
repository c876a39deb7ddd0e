"""The GraphQL door of webhooks: the viewer's own webhooks and their delivery logs, and
the same writes as the settings page and /api/v1/webhooks (webhooks.services). Another
person's webhook or delivery is null (queries, `node`) or `not_found` (mutations), exactly
like one that does not exist. Composed into the schema by hub/graphql.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.types import Info

from hub.graphql_base import (
    INPUT,
    Payload,
    batch,
    decode_id,
    nodes_by_ids,
    not_found,
    run_service,
    target,
    uncached,
    viewer,
)
from webhooks import selectors, services
from webhooks.models import Delivery as DeliveryModel
from webhooks.models import DeliveryState as DeliveryStateChoice
from webhooks.models import Event as EventChoice
from webhooks.models import Webhook as WebhookModel

WebhookEvent = strawberry.enum(
    Enum("WebhookEvent", {event.name: event.value for event in EventChoice}),
    description="What a webhook is sent for: `ANSWER_CREATED` (an answer to your question), "
    "`FEEDBACK_CREATED` (feedback on your project), `REVIEW_SUBMITTED` (a mentor's review "
    "of your project). The `X-Nexus-Event` header carries the value in lower case with a dot.",
)
WebhookDeliveryState = strawberry.enum(
    Enum("WebhookDeliveryState", {state.name: state.value for state in DeliveryStateChoice}),
    description="Where a delivery stands: queued, sending, retrying (a later try is due), "
    "delivered (a 2xx answer) or failed.",
)
DEFAULT_LOG = 20


def _events(values: Iterable[str]) -> list[Any]:
    known = {member.value: member for member in WebhookEvent}  # type: ignore[attr-defined]
    return [known[value] for value in values if value in known]


@strawberry.type(
    name="WebhookDelivery",
    description="One event sent (or to be sent) to one of the viewer's webhooks: the log's row.",
)
class WebhookDeliveryType(relay.Node):
    id: relay.NodeID[int]
    uuid: str = strawberry.field(
        description="The `X-Nexus-Delivery` header, the same on every attempt and redelivery."
    )
    response_code: int | None = strawberry.field(
        description="The HTTP status of the last answer, or null (none yet, a network error)."
    )
    duration_ms: int | None = strawberry.field(description="How long the last attempt took.")
    attempts: int = strawberry.field(description="How many times it was sent.")
    last_error: str = strawberry.field(description="Why the last attempt failed, or empty.")
    created_at: datetime = strawberry.field(description="When the event happened.")
    last_attempt_at: datetime | None = strawberry.field(description="When it was last sent.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next try is due (retrying only)."
    )
    delivered_at: datetime | None = strawberry.field(description="When a 2xx answer came.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, DeliveryModel)

    @strawberry.field(description="What it was sent for.")
    def event(self, root: strawberry.Parent[DeliveryModel]) -> WebhookEvent:  # type: ignore[valid-type]
        return _events([root.event])[0]

    @strawberry.field(description="Where it stands.")
    def state(self, root: strawberry.Parent[DeliveryModel]) -> WebhookDeliveryState:  # type: ignore[valid-type]
        return WebhookDeliveryState(root.state)  # type: ignore[operator]

    @strawberry.field(description="The event's `data`, as signed and sent.")
    def payload(self, root: strawberry.Parent[DeliveryModel]) -> strawberry.scalars.JSON:
        return root.payload

    @strawberry.field(
        description="Whether `redeliverWebhookDelivery` would queue it now.",
        metadata=uncached("the clock: a retry's time comes with no write"),
    )
    def may_redeliver(self, root: strawberry.Parent[DeliveryModel]) -> bool:
        return root.may_redeliver

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return nodes_by_ids(
            node_ids,
            lambda ids: selectors.deliveries_get_many(owner=viewer(info), pks=ids),
            required,
        )


@strawberry.type(
    name="Webhook",
    description="A URL of the viewer's own that Nexus POSTs signed JSON to for events on "
    "their questions and projects. The secret is never readable: it is shown once, in "
    "`createWebhook` and `rotateWebhookSecret`.",
)
class WebhookType(relay.Node):
    id: relay.NodeID[int]
    url: str = strawberry.field(description="Where deliveries go (a public http(s) URL).")
    description: str = strawberry.field(description="What receives it, or empty.")
    active: bool = strawberry.field(description="Whether events are sent to it.")
    created_at: datetime = strawberry.field(description="When it was registered.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, WebhookModel)

    @strawberry.field(description="The events it is sent for.")
    def events(self, root: strawberry.Parent[WebhookModel]) -> list[WebhookEvent]:  # type: ignore[valid-type]
        return _events(root.events)

    @strawberry.field(description="The first characters of its secret, to tell secrets apart.")
    def secret_hint(self, root: strawberry.Parent[WebhookModel]) -> str:
        return root.secret_hint

    @strawberry.field(
        description=f"Its most recent deliveries, newest first (`first`: 1-{selectors.LOG_LENGTH})."
    )
    def deliveries(
        self,
        root: strawberry.Parent[WebhookModel],
        info: Info,
        first: Annotated[
            int, strawberry.argument(description="How many, newest first.")
        ] = DEFAULT_LOG,
    ) -> list[WebhookDeliveryType]:
        if not 1 <= first <= selectors.LOG_LENGTH:
            raise GraphQLError(f"`first` must be between 1 and {selectors.LOG_LENGTH}.")

        def fetch(webhooks: list[WebhookModel]) -> dict[int, list[DeliveryModel]]:
            logs = selectors.deliveries_for_webhooks(webhooks=webhooks, limit=first)
            for webhook in webhooks:
                for delivery in logs.get(webhook.pk, []):
                    delivery.webhook = webhook  # the parent is known: no query for it
            return logs

        return batch(info).load(f"deliveries:{first}", root, fetch, default=list)

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return nodes_by_ids(
            node_ids,
            lambda ids: selectors.webhooks_get_many(owner=viewer(info), pks=ids),
            required,
        )


@strawberry.type
class Query:
    @strawberry.field(
        description="The viewer's webhooks, newest first (empty for anonymous visitors)."
    )
    def webhooks(self, info: Info) -> list[WebhookType]:
        return list(batch(info).siblings(list(selectors.webhooks_for_owner(owner=viewer(info)))))

    @strawberry.field(description="One of the viewer's webhooks, or null (anyone else's too).")
    def webhook(
        self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="Its id.")]
    ) -> WebhookType | None:
        return _webhook(info, id)


# --- Mutations ----------------------------------------------------------------------------


@strawberry.input(description="A new webhook of the viewer's.")
class CreateWebhookInput:
    url: str = strawberry.field(description="A public https:// address of yours.")
    events: list[WebhookEvent] = strawberry.field(  # type: ignore[valid-type]
        description="At least one event to send."
    )
    description: str = strawberry.field(default="", description="What receives it.")
    active: bool = strawberry.field(default=True, description="Send events to it now.")


@strawberry.input(description="What changes on one of the viewer's webhooks (omit to keep).")
class EditWebhookInput:
    id: relay.GlobalID = strawberry.field(description="The webhook.")
    url: str | None = strawberry.field(default=None, description="A new URL.")
    events: list[WebhookEvent] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The new events."
    )
    description: str | None = strawberry.field(default=None, description="A new description.")
    active: bool | None = strawberry.field(default=None, description="Turn it on or off.")


@strawberry.input(description="Names one of the viewer's webhooks.")
class WebhookIdInput:
    id: relay.GlobalID = strawberry.field(description="The webhook.")


@strawberry.input(description="Send a finished delivery again (once, however often asked).")
class RedeliverWebhookDeliveryInput:
    id: relay.GlobalID = strawberry.field(description="The delivery.")
    attempts: int | None = strawberry.field(
        default=None,
        description="The attempt count you saw: a second request with it does nothing.",
    )


@strawberry.type(description="The webhook a mutation changed, or its errors.")
class WebhookPayload(Payload):
    webhook: WebhookType | None = strawberry.field(description="The webhook (null on error).")


@strawberry.type(description="A webhook and its new secret, shown in this answer only.")
class WebhookSecretPayload(Payload):
    webhook: WebhookType | None = strawberry.field(description="The webhook (null on error).")
    secret: str | None = strawberry.field(
        description="The signing secret: keep it, it is not shown again (null on error)."
    )


@strawberry.type(description="Which webhook was deleted, or the errors.")
class DeleteWebhookPayload(Payload):
    deleted_id: relay.GlobalID | None = strawberry.field(
        description="The deleted webhook's id (null on error)."
    )


@strawberry.type(description="Whether the delivery was queued again, or the errors.")
class RedeliverPayload(Payload):
    queued: bool | None = strawberry.field(
        description="True when queued; false when it is already on its way (null on error)."
    )
    delivery: WebhookDeliveryType | None = strawberry.field(
        description="The delivery as it stands now (null on error)."
    )


def _webhook(info: Info, raw: Any) -> WebhookModel | None:
    return target(
        raw, "Webhook", lambda pk: selectors.webhook_get_for_owner(owner=viewer(info), pk=pk)
    )


def _values(events: Iterable[Any] | None) -> list[str] | None:
    return None if events is None else [event.value for event in events]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a webhook (its secret is in this answer only).")
    def create_webhook(
        self, info: Info, input: Annotated[CreateWebhookInput, INPUT]
    ) -> WebhookSecretPayload:
        made, errors = run_service(
            lambda: services.webhook_create(
                owner=viewer(info),
                url=input.url,
                events=_values(input.events) or [],
                description=input.description,
                active=input.active,
            )
        )
        webhook, secret = made if made is not None else (None, None)
        return WebhookSecretPayload(webhook=webhook, secret=secret, errors=errors)

    @strawberry.mutation(description="Edit your webhook.")
    def edit_webhook(self, info: Info, input: Annotated[EditWebhookInput, INPUT]) -> WebhookPayload:
        webhook = _webhook(info, input.id)
        if webhook is None:
            return WebhookPayload(webhook=None, errors=not_found("webhook"))
        edited, errors = run_service(
            lambda: services.webhook_update(
                actor=viewer(info),
                webhook=webhook,
                url=input.url,
                events=_values(input.events),
                description=input.description,
                active=input.active,
            )
        )
        return WebhookPayload(webhook=edited, errors=errors)

    @strawberry.mutation(description="Delete your webhook and its delivery log.")
    def delete_webhook(
        self, info: Info, input: Annotated[WebhookIdInput, INPUT]
    ) -> DeleteWebhookPayload:
        webhook = _webhook(info, input.id)
        if webhook is None:
            return DeleteWebhookPayload(deleted_id=None, errors=not_found("webhook"))
        _, errors = run_service(
            lambda: services.webhook_delete(actor=viewer(info), webhook=webhook)
        )
        deleted = None if errors else relay.GlobalID("Webhook", str(input.id.node_id))
        return DeleteWebhookPayload(deleted_id=deleted, errors=errors)

    @strawberry.mutation(
        description="Replace your webhook's secret (the new one is in this answer only)."
    )
    def rotate_webhook_secret(
        self, info: Info, input: Annotated[WebhookIdInput, INPUT]
    ) -> WebhookSecretPayload:
        webhook = _webhook(info, input.id)
        if webhook is None:
            return WebhookSecretPayload(webhook=None, secret=None, errors=not_found("webhook"))
        secret, errors = run_service(
            lambda: services.webhook_secret_rotate(actor=viewer(info), webhook=webhook)
        )
        return WebhookSecretPayload(
            webhook=None if errors else webhook, secret=secret, errors=errors
        )

    @strawberry.mutation(description="Send a finished delivery of your webhook again (once).")
    def redeliver_webhook_delivery(
        self, info: Info, input: Annotated[RedeliverWebhookDeliveryInput, INPUT]
    ) -> RedeliverPayload:
        user = viewer(info)
        pk = decode_id(input.id, "WebhookDelivery")
        delivery = selectors.delivery_get_for_owner(owner=user, pk=pk) if pk else None
        if delivery is None:
            return RedeliverPayload(queued=None, delivery=None, errors=not_found("delivery"))
        queued, errors = run_service(
            lambda: services.delivery_redeliver(
                actor=user, delivery=delivery, seen_attempts=input.attempts
            )
        )
        if errors:
            return RedeliverPayload(queued=None, delivery=None, errors=errors)
        delivery.refresh_from_db()
        return RedeliverPayload(queued=queued, delivery=delivery, errors=[])
