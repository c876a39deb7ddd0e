"""The webhooks part of the REST API (/api/v1/webhooks): the signed-in person's webhooks
and their deliveries. Another person's webhook is a 404, as if it did not exist."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from hub.api.base import (
    SignedInApi,
    StrictInput,
    body_params,
    found,
    link_field,
    request_example,
)
from webhooks import selectors, services
from webhooks.models import DeliveryState, Event, Webhook

TAGS = ["webhooks"]


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="Shown on this response only: keep it.")


@request_example(
    "Answers to my questions",
    {
        "url": "https://hooks.example.com/nexus",
        "description": "My bot",
        "events": ["answer.created"],
        "active": True,
    },
)
class WebhookInput(StrictInput):
    url = link_field(max_length=500)
    description = serializers.CharField(max_length=100, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices), allow_empty=False
    )
    active = serializers.BooleanField(required=False)


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uuid = serializers.UUIDField(help_text="The X-Nexus-Delivery header")
    event = serializers.CharField(help_text="The X-Nexus-Event header, one of the events")
    state = serializers.ChoiceField(choices=DeliveryState.choices)
    response_code = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.JSONField()


@request_example(
    "Once, as seen",
    {"attempts": 3},
)
class RedeliverInput(StrictInput):
    attempts = serializers.IntegerField(
        required=False,
        help_text="The attempt count you saw: a second request with it does nothing.",
    )


class RedeliverSerializer(serializers.Serializer):
    queued = serializers.BooleanField()


class OwnerApi(SignedInApi):
    """Your webhooks only: another person's webhook or delivery answers 404."""


def _webhook_or_404(request: Request, pk: int) -> Webhook:
    return found(selectors.webhook_get_for_owner(owner=request.user, pk=pk))


class WebhookListApi(OwnerApi):
    @extend_schema(operation_id="webhooks_list", summary="Your webhooks",
                   responses=WebhookSerializer(many=True), tags=TAGS)  # fmt: skip
    def get(self, request: Request) -> Response:
        hooks = selectors.webhooks_for_owner(owner=request.user)
        return Response(WebhookSerializer(hooks, many=True).data)

    @extend_schema(operation_id="webhook_create",
                   summary="Register a webhook (its secret is in this response only)",
                   request=WebhookInput, responses={201: WebhookSecretSerializer},
                   tags=TAGS)  # fmt: skip
    def post(self, request: Request) -> Response:
        data = body_params(WebhookInput, request)
        hook, secret = services.webhook_create(owner=request.user, **data)
        return Response({**WebhookSerializer(hook).data, "secret": secret}, status=201)


class WebhookApi(OwnerApi):
    @extend_schema(operation_id="webhook_get", summary="One of your webhooks",
                   responses=WebhookSerializer, tags=TAGS)  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookSerializer(_webhook_or_404(request, pk)).data)

    @extend_schema(operation_id="webhook_edit", summary="Edit your webhook",
                   request=WebhookInput, responses=WebhookSerializer, tags=TAGS)  # fmt: skip
    def patch(self, request: Request, pk: int) -> Response:
        hook = _webhook_or_404(request, pk)
        data = body_params(WebhookInput, request, partial=True)
        hook = services.webhook_update(actor=request.user, webhook=hook, **data)
        return Response(WebhookSerializer(hook).data)

    @extend_schema(operation_id="webhook_delete", summary="Delete your webhook and its log",
                   responses={204: None}, tags=TAGS)  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        services.webhook_delete(actor=request.user, webhook=_webhook_or_404(request, pk))
        return Response(status=204)


class WebhookSecretApi(OwnerApi):
    @extend_schema(operation_id="webhook_secret_rotate",
                   summary="Replace the secret (the new one is in this response only)",
                   request=None, responses=WebhookSecretSerializer, tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        hook = _webhook_or_404(request, pk)
        secret = services.webhook_secret_rotate(actor=request.user, webhook=hook)
        return Response({**WebhookSerializer(hook).data, "secret": secret})


class DeliveryListApi(OwnerApi):
    @extend_schema(operation_id="webhook_deliveries",
                   summary="Your webhook's recent deliveries, newest first",
                   responses=DeliverySerializer(many=True), tags=TAGS)  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        hook = _webhook_or_404(request, pk)
        deliveries = selectors.deliveries_for_webhook(webhook=hook)
        return Response(DeliverySerializer(deliveries, many=True).data)


class RedeliverApi(OwnerApi):
    @extend_schema(operation_id="webhook_redeliver",
                   summary="Send a finished delivery again (once)",
                   request=RedeliverInput, responses={202: RedeliverSerializer},
                   tags=TAGS)  # fmt: skip
    def post(self, request: Request, pk: int, delivery_id: int) -> Response:
        delivery = found(
            selectors.delivery_get_for_owner(owner=request.user, pk=delivery_id, webhook_id=pk)
        )
        data: dict[str, Any] = body_params(RedeliverInput, request)
        queued = services.delivery_redeliver(
            actor=request.user, delivery=delivery, seen_attempts=data.get("attempts")
        )
        return Response({"queued": queued}, status=202)
