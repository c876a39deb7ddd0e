"""The accounts part of the REST API: /api/v1/me."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts import services
from accounts.models import User
from hub.api.base import SignedInApi, StrictInput, body_params


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id", "handle", "display_name", "email", "role", "bio", "github", "website",
            "cohort", "track", "date_joined", "suspended_until",
        ]  # fmt: skip
        read_only_fields = fields


class ProfileInput(StrictInput):
    """What you may change about yourself (never role, email, handle or suspension here)."""

    display_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    github = serializers.CharField(required=False, allow_blank=True, max_length=200)
    website = serializers.CharField(required=False, allow_blank=True, max_length=500)
    cohort = serializers.CharField(required=False, allow_blank=True, max_length=200)
    track = serializers.CharField(required=False, allow_blank=True, max_length=50)


class MeApi(SignedInApi):
    """The account the request is authenticated as."""

    @extend_schema(
        operation_id="me_get", summary="The signed-in account", responses=MeSerializer, tags=["me"]
    )
    def get(self, request: Any) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(operation_id="me_update", summary="Edit your profile",
                   request=ProfileInput, responses=MeSerializer, tags=["me"])  # fmt: skip
    def patch(self, request: Any) -> Response:
        data = body_params(ProfileInput, request, partial=True)
        user = services.user_profile_update(actor=request.user, user=request.user, **data)
        return Response(MeSerializer(user).data)
