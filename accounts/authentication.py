"""Token authentication and the scope check for the API doors (REST, GraphQL).

Kept apart from accounts/api.py: DRF imports authentication classes while it loads its
views module, so this module must not import DRF's views.

`ApiTokenAuthentication` reads `Authorization: Bearer nxs_...`, finds the token with
`selectors.token_authenticate` and records the use with `services.token_touch`; the
GraphQL door does the same with the same two functions. `TokenScopes` then asks
`permissions.token_allows` whether the token may do what the request does, against its
owner's role and standing now.
"""

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts import selectors, services
from accounts.models import ApiToken, TokenScope, User
from accounts.permissions import token_allows, write_refusal

BEARER = b"bearer"


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`; no header leaves the request to the next class."""

    def authenticate(self, request: Any) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != BEARER:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the token as `Authorization: Bearer <token>`.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("That is not a Nexus token.") from None
        token = selectors.token_authenticate(raw)
        if token is None:
            raise AuthenticationFailed("The token is unknown, revoked or expired.")
        services.token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


def request_token(request: Any) -> ApiToken | None:
    """The token a request was authenticated with (None for a session or anonymous)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class TokenScopes(BasePermission):
    """Reads need `read`, other methods `write`, and a view may ask for more with
    `required_scope = "moderate"`. Sessions and anonymous requests pass through: the
    services and selectors decide for them exactly as for the pages."""

    def has_permission(self, request: Any, view: Any) -> bool:
        token = request_token(request)
        if token is None:
            return True
        scope = getattr(view, "required_scope", None) or (
            TokenScope.READ if request.method in SAFE_METHODS else TokenScope.WRITE
        )
        if token_allows(token, scope):
            return True
        user = token.user
        if scope != TokenScope.READ and scope in token.scopes and user.is_suspended:
            self.message = write_refusal(user)
        elif scope == TokenScope.MODERATE and scope in token.scopes:
            self.message = "Only mentors and admins moderate; this token's owner is neither now."
        else:
            self.message = f"This token lacks the `{scope}` scope."
        return False
