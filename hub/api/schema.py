"""How the OpenAPI schema describes our authentication (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from rest_framework import serializers


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


class StrictInputScheme(OpenApiSerializerExtension):
    """A `StrictInput` body refuses any field it does not name (a 400 naming it), so its
    schema says so: `additionalProperties: false`. Clients (and schemathesis) then learn
    from the schema what the API accepts."""

    target_class = "hub.api.base.StrictInput"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        for name, field in self.target.fields.items():
            # drf-spectacular leaves `allow_empty=False` out: a required non-empty list.
            prop = schema.get("properties", {}).get(name)
            if isinstance(field, serializers.ListField) and not field.allow_empty and prop:
                prop.setdefault("minItems", 1)
        one_of = getattr(self.target, "exactly_one_of", ())
        if one_of:
            schema["oneOf"] = [{"required": [name]} for name in one_of]
        return schema


_PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details (`application/problem+json`).",
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "What kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "This occurrence, in words."},
        "errors": {
            "type": "object",
            "description": "400 only: messages per field (`non_field_errors` for the whole).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}
_DETAILS = {
    "400": ("Invalid input", "Some fields need another look."),
    "401": ("Authentication required", "The token is unknown, revoked or expired."),
    "403": ("Not allowed", "You can only edit your own questions."),
    "404": ("Not found", "Not found."),
    "409": ("Conflict", "This question is locked: off-topic."),
    "413": ("Request too large", "The request body is too large."),
    "429": ("Too many requests", "Please wait a little before posting again."),
}
_SLUGS = {
    "400": "validation",
    "401": "unauthenticated",
    "403": "forbidden",
    "404": "not-found",
    "409": "conflict",
    "413": "too-large",
    "429": "rate-limited",
}


def problem_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the problem
    documents it may answer with, each with an example."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["400", "401", "403", "404", "429"]
            if method != "get":
                codes += ["409", "413"]
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                title, detail = _DETAILS[code]
                example = {"type": f"https://nexus.example/api/v1/problems/{_SLUGS[code]}",
                           "title": title, "status": int(code), "detail": detail}  # fmt: skip
                if code == "400":
                    example["errors"] = {"title": ["Ensure this field has at least 15 characters."]}
                responses.setdefault(
                    code,
                    {
                        "description": title,
                        "content": {
                            "application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/Problem"},
                                "example": example,
                            }
                        },
                    },
                )
    return result
