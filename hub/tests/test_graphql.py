"""The /graphql/ door itself: GraphiQL from our static files, session auth with CSRF,
introspection switch, limits refused before any SQL, masked errors, extensions.cost."""

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hub.tests.gql import data, post, run

pytestmark = pytest.mark.django_db


def test_graphiql_page_uses_only_our_static_files(client):
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "unpkg" not in html and "cdn" not in html.lower() and "https://" not in html
    for asset in (
        "vendor/graphiql/graphiql.min.js",
        "vendor/graphiql/graphiql.min.css",
        "vendor/graphiql/react.production.min.js",
        "vendor/graphiql/react-dom.production.min.js",
        "vendor/graphiql/plugin-explorer.umd.js",
        "js/graphiql.js",
    ):
        assert f"/static/{asset}" in html
        assert finders.find(asset), asset
    assert "<script>" not in html  # no inline script: the CSP forbids it


def test_get_runs_no_query(client):
    response = client.get("/graphql/", {"query": "{ viewer { isAuthenticated } }"})
    assert response.status_code == 400 or "errors" in response.json()


def test_session_auth_enforces_csrf(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = post(client, "{ viewer { user { handle } } }")
    assert response.status_code == 403
    client.get(
        "/graphql/", HTTP_ACCEPT="text/html"
    )  # sets the CSRF cookie, as GraphiQL's page does
    token = client.cookies["csrftoken"].value
    body = run(client, "{ viewer { user { handle } } }", HTTP_X_CSRFTOKEN=token)
    assert body["data"]["viewer"]["user"]["handle"] == learner.handle


def test_viewer(client, learner):
    assert data(client, "{ viewer { isAuthenticated user { handle } } }")["viewer"] == {
        "isAuthenticated": False,
        "user": None,
    }
    client.force_login(learner)
    got = data(client, "{ viewer { isAuthenticated canWrite isMentor user { handle name } } }")
    assert got["viewer"] == {
        "isAuthenticated": True,
        "canWrite": True,
        "isMentor": False,
        "user": {"handle": "learner-one", "name": "Lena Learner"},
    }


def test_introspection_on_by_default_and_off_by_setting(client, settings):
    assert data(client, "{ __schema { queryType { name } } }")["__schema"]["queryType"]["name"]
    settings.GRAPHQL_INTROSPECTION = False
    body = run(client, "{ __schema { queryType { name } } }")
    assert "introspection" in body["errors"][0]["message"].lower()
    assert data(client, "{ viewer { isAuthenticated } }")


def _refused_without_sql(client, query: str) -> dict:
    with CaptureQueriesContext(connection) as queries:
        body = run(client, query)
    assert body.get("data") is None
    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]
    return body


def test_over_deep_query_refused_before_sql(client):
    deep = (
        "{ questions(first: 1) { edges { node { answers { question { answers { question {"
        " answers { question { answers { question { answers { id } } } } } } } } } } } } }"
    )
    body = _refused_without_sql(client, deep)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_over_aliased_query_refused_before_sql(client):
    aliases = " ".join(f"a{i}: viewer {{ isAuthenticated }}" for i in range(31))
    body = _refused_without_sql(client, f"{{ {aliases} }}")
    assert "aliases" in body["errors"][0]["message"].lower()


def test_aliases_through_fragments_count_too(client):
    aliases = " ".join(f"a{i}: viewer {{ isAuthenticated }}" for i in range(31))
    body = _refused_without_sql(client, f"{{ ...F }} fragment F on Query {{ {aliases} }}")
    assert "aliases" in body["errors"][0]["message"].lower()


def test_over_long_query_refused_before_sql(client):
    fields = " ".join("isAuthenticated" for _ in range(2100))
    body = _refused_without_sql(client, f"{{ viewer {{ {fields} }} }}")
    assert "token" in body["errors"][0]["message"].lower()


def test_over_cost_query_refused_before_sql(client, settings):
    settings.GRAPHQL_MAX_COST = 50
    body = _refused_without_sql(
        client, "{ questions(first: 100) { edges { node { author { handle } } } } }"
    )
    assert "would cost 201" in body["errors"][0]["message"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 201
    assert body["extensions"]["cost"]["refused"] is True


def test_cost_budget_per_minute(client, settings):
    settings.GRAPHQL_COST_BUDGET_PER_MINUTE = 25
    query = "{ questions(first: 10) { edges { node { author { handle } } } } }"  # costs 21
    first = run(client, query)
    assert "errors" not in first
    assert first["extensions"]["cost"]["requestedQueryCost"] == 21
    assert first["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 4
    second = _refused_without_sql(client, query)
    assert "budget" in second["errors"][0]["message"]
    assert second["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 4


def test_every_response_reports_cost(client):
    body = run(client, "{ viewer { isAuthenticated } }")
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1
    body = run(client, "{ nope }")
    assert "cost" in body["extensions"]


def test_unexpected_errors_are_masked(client, monkeypatch):
    from discussions import selectors

    def broken(**kwargs):
        raise RuntimeError("password=hunter2 SELECT * FROM accounts_user")

    monkeypatch.setattr(selectors, "category_list", broken)
    body = run(client, "{ categories { slug } }")
    assert body["errors"][0]["message"] == "Something went wrong on our side."
    assert "hunter2" not in str(body) and "SELECT" not in str(body)
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}


def test_every_error_says_whose_mistake_it_is(client, caplog):
    """Apollo's codes: clients (and make test-graphql-fuzz) tell a refused document or
    argument from our own failure; only our failures are logged."""
    codes = {
        "{ viewer {": "GRAPHQL_PARSE_FAILED",
        "{ nope }": "GRAPHQL_VALIDATION_FAILED",
        '{ question(id: "") { id } }': "BAD_USER_INPUT",
        '{ question(id: "not base64!") { id } }': "BAD_USER_INPUT",
        "{ questions(first: 500) { edges { cursor } } }": "BAD_USER_INPUT",
    }
    with caplog.at_level("DEBUG", logger="strawberry.execution"):
        for query, code in codes.items():
            body = run(client, query)
            assert [e["extensions"]["code"] for e in body["errors"]] == [code], query
    assert caplog.records == []


def test_our_own_failures_are_logged_whole(client, monkeypatch, caplog):
    from discussions import selectors

    def broken(**kwargs):
        raise RuntimeError("the real reason")

    monkeypatch.setattr(selectors, "category_list", broken)
    with caplog.at_level("ERROR", logger="strawberry.execution"):
        run(client, "{ categories { slug } }")
    assert "the real reason" in caplog.text


@pytest.mark.parametrize("auth", ["session", "token"])
def test_signed_in_limits_cost_only_the_authentication(client, learner, auth, settings):
    """Signed in, a refused document runs no query beyond knowing who asks (the
    session's or the token's own lookups, the same as for a syntax error)."""
    from accounts import services

    settings.GRAPHQL_MAX_COST = 50

    headers = {}
    if auth == "token":
        raw = services.token_create(user=learner, name="t", scopes=["read"], expires_at=None)[1]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    else:
        client.force_login(learner)

    def sql(query: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            body = run(client, query, **headers)
        assert body.get("data") is None and body["errors"]
        return [q["sql"] for q in queries.captured_queries]

    who = ('"django_session"', '"accounts_user"', '"accounts_apitoken"')
    aliases = " ".join(f"a{i}: viewer {{ isAuthenticated }}" for i in range(31))
    deep = (
        "{ questions(first: 1) { edges { node { answers { question { answers { question {"
        " answers { question { answers { question { answers { id } } } } } } } } } } } } }"
    )
    costly = "{ questions(first: 100) { edges { node { answers { author { handle } } } } } }"
    for query in ("{ viewer {", deep, f"{{ {aliases} }}", costly):
        ran = sql(query)
        assert all(any(table in q for table in who) for q in ran), (query, ran)
        assert len(ran) <= 2, (query, ran)


def test_http_runs_no_per_field_hook(client, learner, monkeypatch):
    """The synchronous HTTP execution leaves out SyncResolversInThreads (a `resolve` hook
    graphql-core would call for every field); the socket's executions keep it."""
    from hub.graphql import SyncResolversInThreads, schema

    calls = []
    original = SyncResolversInThreads.resolve

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SyncResolversInThreads, "resolve", counted)
    client.force_login(learner)
    got = data(client, "{ viewer { user { handle } } }")["viewer"]
    assert got == {"user": {"handle": learner.handle}}
    assert calls == []
    assert not any(isinstance(e, SyncResolversInThreads) for e in schema.get_extensions(sync=True))
    assert any(isinstance(e, SyncResolversInThreads) for e in schema.get_extensions())
