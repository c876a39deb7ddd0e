"""How the OpenAPI schema describes our authentication (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal access token from Settings → API tokens, sent as "
                "`Authorization: Bearer nxs_…`. Scopes: `read` (every token), `write`, "
                "`moderate` (mentors and admins); never more than the owner's current role."
            ),
        }
