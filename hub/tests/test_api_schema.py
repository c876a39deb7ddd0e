"""The committed OpenAPI schema is the API: a change to the API is a reviewed diff."""

from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

COMMITTED = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"
REGENERATE = "manage.py spectacular --validate --fail-on-warn --file docs/api/openapi.yaml"


def generated(tmp_path) -> str:
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return out.read_text()


def test_the_committed_schema_is_what_the_code_generates(tmp_path):
    assert COMMITTED.read_text() == generated(tmp_path), (
        f"The API changed: review it and regenerate the schema with `{REGENERATE}`."
    )


def test_openapi_3_1_with_token_auth_and_every_operation_summarised():
    schema = yaml.safe_load(COMMITTED.read_text())
    assert schema["openapi"].startswith("3.1")
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 40
    missing = [f"{m.upper()} {p}" for p, m, op in operations if not op.get("summary")]
    assert missing == []


@pytest.mark.django_db
def test_the_served_schema_matches_the_committed_one(client):
    served = client.get("/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi"})
    assert served.status_code == 200
    assert (
        yaml.safe_load(served.content)["paths"].keys()
        == yaml.safe_load(COMMITTED.read_text())["paths"].keys()
    )


def test_every_operation_documents_its_problems():
    schema = yaml.safe_load(COMMITTED.read_text())
    for path, item in schema["paths"].items():
        for method, op in item.items():
            problem = op["responses"]["404"]["content"]["application/problem+json"]
            assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}, (method, path)
            assert problem["example"]["status"] == 404


def _request_bodies(schema: dict):
    """(operation, media type, its content) of every operation that takes a body."""
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"} and op.get("requestBody"):
                for media_type, content in op["requestBody"]["content"].items():
                    yield f"{method.upper()} {path}", media_type, content


def _examples(content: dict) -> list[tuple[str, object]]:
    named = [(name, example["value"]) for name, example in content.get("examples", {}).items()]
    return named + ([("example", content["example"])] if "example" in content else [])


def _example_errors(schema: dict, body_schema: dict, value: object) -> list[str]:
    """What the JSON Schema of a body (with the schema's components for its $refs) finds
    wrong in `value`: OpenAPI 3.1 schemas are JSON Schema 2020-12."""
    validator = jsonschema.Draft202012Validator(
        {**body_schema, "components": schema["components"]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    return [
        f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message}"
        for e in validator.iter_errors(value)
    ]


def test_every_request_body_has_an_example():
    schema = yaml.safe_load(COMMITTED.read_text())
    bodies = list(_request_bodies(schema))
    assert len(bodies) > 30
    missing = [
        f"{op} ({media_type})" for op, media_type, content in bodies if not _examples(content)
    ]
    assert missing == [], (
        "Give each input serializer an example body: @request_example(...) (hub/api/base.py)."
    )


def test_every_request_example_is_valid_against_its_schema():
    schema = yaml.safe_load(COMMITTED.read_text())
    invalid = {
        f"{op} {name}": errors
        for op, _media_type, content in _request_bodies(schema)
        for name, value in _examples(content)
        if (errors := _example_errors(schema, content["schema"], value))
    }
    assert invalid == {}


def test_an_example_against_its_schema_is_refused_when_it_breaks_it():
    # The check above can fail: a title too short, an unknown field, a webhook URL with an
    # IP address (the link pattern) are each found.
    schema = yaml.safe_load(COMMITTED.read_text())
    question = {"$ref": "#/components/schemas/QuestionCreateInputRequest"}
    webhook = {"$ref": "#/components/schemas/WebhookInputRequest"}
    good = {"title": "A title of fifteen characters", "body": "Body", "category": "django"}
    assert _example_errors(schema, question, good) == []
    assert _example_errors(schema, question, {**good, "title": "Too short"})
    assert _example_errors(schema, question, {**good, "score": 100})
    hook = {"url": "https://hooks.example.com/nexus", "events": ["answer.created"]}
    assert _example_errors(schema, webhook, hook) == []
    assert _example_errors(schema, webhook, {**hook, "url": "http://169.254.169.254/latest"})
