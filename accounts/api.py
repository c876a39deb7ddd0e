"""The accounts part of the REST API: /api/v1/me."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.authentication import TokenScopes
from accounts.models import User
from hub.api.base import ApiView


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id", "handle", "display_name", "email", "role", "bio", "github", "website",
            "cohort", "track", "date_joined", "suspended_until",
        ]  # fmt: skip
        read_only_fields = fields


class MeApi(ApiView):
    """The account the request is authenticated as."""

    permission_classes = [IsAuthenticated, TokenScopes]

    @extend_schema(
        operation_id="me_get", summary="The signed-in account", responses=MeSerializer, tags=["me"]
    )
    def get(self, request: Any) -> Response:
        return Response(MeSerializer(request.user).data)
