"""Posting GraphQL documents in tests, the way a client does (JSON over POST)."""

from __future__ import annotations

import base64
from typing import Any

from django.test import Client


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def post(client: Client, query: str, variables: dict | None = None, **headers: Any):
    return client.post(
        "/graphql/",
        {"query": query, "variables": variables or {}},
        content_type="application/json",
        **headers,
    )


def run(client: Client, query: str, variables: dict | None = None, **headers: Any) -> dict:
    """The response body; fails the test on a non-200 answer."""
    response = post(client, query, variables, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def data(client: Client, query: str, variables: dict | None = None, **headers: Any) -> dict:
    """The data of a response that must have no errors."""
    body = run(client, query, variables, **headers)
    assert "errors" not in body, body["errors"]
    return body["data"]


def node(client: Client, global_id: str, fields: str = "id") -> dict | None:
    """`node(id:)` as the viewer of `client` sees it."""
    query = "query($id: ID!) { node(id: $id) { " + fields + " } }"
    return data(client, query, {"id": global_id})["node"]
