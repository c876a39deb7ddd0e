"""The accounts part of the REST API: /api/v1/me and your personal access tokens.

Tokens (docs/decisions/0010-api-tokens.md): listed with a session or any token of yours;
made only with a session (a token never mints a token: a leaked one could otherwise
outlive its own revocation and expiry through a successor); revoked with a session, or
by a token revoking itself. The secret is in the creation response only.
"""

from datetime import timedelta
from typing import Any

from django.contrib.auth import logout
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts import selectors, services
from accounts.authentication import request_token
from accounts.models import ApiToken, TokenScope, User
from hub.api.base import (
    ApiView,
    SignedInApi,
    StrictInput,
    body_params,
    found,
    request_example,
    require,
    url_pattern,
)

TOKEN_TAGS = ["me"]
DEFAULT_TOKEN_DAYS = 90  # as the settings page's form


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id", "handle", "display_name", "email", "role", "bio", "github", "website",
            "cohort", "track", "date_joined", "suspended_until",
        ]  # fmt: skip
        read_only_fields = fields


@request_example(
    "A learner's profile",
    {
        "display_name": "Ada Lovelace",
        "bio": "Backend learner. I like ORMs, tests and small pull requests.",
        "github": "ada-lovelace",
        "website": "https://ada.example.com/",
        "cohort": "2026-spring",
        "track": "backend",
    },
)
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


# --- Personal access tokens -------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    """A token as lists show it: never its secret (nor its digest)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The secret's first characters, to tell tokens apart.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=TokenScope.choices))
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(
        allow_null=True, help_text="Recorded at most once a minute; null if never used."
    )
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Null: never expires.")
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_usable = serializers.BooleanField(help_text="Neither revoked nor expired.")
    is_current = serializers.SerializerMethodField(
        help_text="Whether this request is authenticated with this token."
    )

    def get_is_current(self, token: ApiToken) -> bool:
        return token.pk == self.context.get("current_token_id")


class TokenSecretSerializer(TokenSerializer):
    secret = serializers.CharField(
        help_text="The token itself, in this response only: it is stored hashed and never "
        "shown again. Send it as `Authorization: Bearer <secret>`."
    )


class TokenInput(StrictInput):
    name = serializers.CharField(max_length=60, help_text="What will use it.")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=TokenScope.choices),
        required=False,
        default=list,
        max_length=3,
        help_text="`read` is always granted; `moderate` only to mentors and admins.",
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=f"A moment in the future; null never expires; left out: "
        f"{DEFAULT_TOKEN_DAYS} days from now.",
    )


def _context(request: Any) -> dict[str, Any]:
    token = request_token(request)
    return {"current_token_id": token.pk if token else None}


def _token_or_404(request: Any, pk: int) -> ApiToken:
    return found(selectors.tokens_for_user(user=request.user).filter(pk=pk).first())


_NO_STORE = {"Cache-Control": "no-store"}


class TokenListApi(SignedInApi):
    """Your personal access tokens."""

    @extend_schema(operation_id="me_tokens_list",
                   summary="Your tokens, live ones first (never their secrets)",
                   description="With your session or any of your tokens.",
                   responses=TokenSerializer(many=True), tags=TOKEN_TAGS)  # fmt: skip
    def get(self, request: Any) -> Response:
        tokens = selectors.tokens_for_user(user=request.user)
        return Response(TokenSerializer(tokens, many=True, context=_context(request)).data)

    @extend_schema(
        operation_id="me_token_create",
        summary="Make a token (its secret is in this response only)",
        description="Signed in with a session only (with its CSRF token): a token cannot "
        "mint another, so revoking a leaked token ends what it can do. 403 with a token.",
        request=TokenInput,
        responses={201: TokenSecretSerializer},
        examples=[
            OpenApiExample(
                "A client that reads and posts",
                value={
                    "name": "my React client",
                    "scopes": ["write"],
                    "expires_at": "2027-03-01T00:00:00Z",
                },
                request_only=True,
            )
        ],
        tags=TOKEN_TAGS,
    )
    def post(self, request: Any) -> Response:
        require(
            request_token(request) is None,
            "A token cannot make tokens: sign in on the site (Settings → API tokens).",
        )
        data = body_params(TokenInput, request)
        if "expires_at" not in data:
            data["expires_at"] = timezone.now() + timedelta(days=DEFAULT_TOKEN_DAYS)
        token, raw = services.token_create(user=request.user, **data)
        body = {**TokenSerializer(token, context=_context(request)).data, "secret": raw}
        return Response(body, status=201, headers=_NO_STORE)


class TokenApi(SignedInApi):
    """One of your tokens: another person's answers 404."""

    @extend_schema(operation_id="me_token_get", summary="One of your tokens",
                   responses=TokenSerializer, tags=TOKEN_TAGS)  # fmt: skip
    def get(self, request: Any, pk: int) -> Response:
        token = _token_or_404(request, pk)
        return Response(TokenSerializer(token, context=_context(request)).data)


class TokenRevokeApi(SignedInApi):
    """Revoke a token at once. With a session, any of yours; a token may revoke itself
    (whatever its scopes: giving up access needs none), never another."""

    required_scope = TokenScope.READ

    @extend_schema(operation_id="me_token_revoke",
                   summary="Revoke one of your tokens (revoking twice changes nothing)",
                   request=None, responses=TokenSerializer, tags=TOKEN_TAGS)  # fmt: skip
    def post(self, request: Any, pk: int) -> Response:
        token = _token_or_404(request, pk)
        current = request_token(request)
        require(
            current is None or current.pk == token.pk,
            "A token can revoke only itself: sign in on the site to revoke others.",
        )
        token = services.token_revoke(actor=request.user, token=token)
        return Response(TokenSerializer(token, context=_context(request)).data)


class SignOutEverywhereSerializer(serializers.Serializer):
    tokens_revoked = serializers.IntegerField()


class SignOutEverywhereApi(SignedInApi):
    """Settings → Sign out everywhere: every session ends (this one too) and every token
    is revoked. With a session only, as for making tokens: a token that could end its
    owner's sessions would outrank them."""

    @extend_schema(operation_id="me_sign_out_everywhere",
                   summary="End every session and revoke every token (session only)",
                   request=None, responses=SignOutEverywhereSerializer,
                   tags=TOKEN_TAGS)  # fmt: skip
    def post(self, request: Any) -> Response:
        require(
            request_token(request) is None,
            "A token cannot sign you out everywhere: sign in on the site (Settings).",
        )
        revoked = services.user_sign_out_everywhere(actor=request.user, user=request.user)
        logout(request._request)
        return Response({"tokens_revoked": revoked})


# --- People -----------------------------------------------------------------------------


class PublicProfileSerializer(serializers.ModelSerializer):
    """A person as their profile page shows them to anyone (never their email)."""

    html_url = serializers.SerializerMethodField(help_text="Their profile page.")

    class Meta:
        model = User
        fields = ["handle", "display_name", "role", "bio", "github", "website", "cohort",
                  "track", "date_joined", "html_url"]  # fmt: skip
        read_only_fields = fields

    def get_html_url(self, user: User) -> str:
        return self.context["request"].build_absolute_uri(
            url_pattern("accounts:profile").replace("{}", user.handle)
        )


class PersonApi(ApiView):
    """Anyone's public profile, by handle (an unknown or closed account is a 404)."""

    @extend_schema(operation_id="person_get", summary="A person's public profile",
                   responses=PublicProfileSerializer, tags=["people"])  # fmt: skip
    def get(self, request: Any, handle: str) -> Response:
        user = selectors.user_get_by_handle(handle=handle)
        return Response(PublicProfileSerializer(user, context={"request": request}).data)
