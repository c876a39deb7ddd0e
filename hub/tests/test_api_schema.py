"""The committed OpenAPI schema is the API: a change to the API is a reviewed diff."""

from pathlib import Path

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
