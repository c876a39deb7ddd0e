"""hub.cache and hub.page_cache seen through every door: a write made through one door is
visible on the very next read through the others (pages, REST, GraphQL); a cold cache never
costs more queries than no cache; the APIs answer with the cache down."""

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from discussions import services
from discussions.tests import factories as make
from hub import cache
from hub.tests import gql
from hub.tests.test_cache import CLOSED_PORT, redis_cache_at

pytestmark = [pytest.mark.cached, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _fresh_breaker():
    cache.reset()
    yield
    cache.reset()


@pytest.fixture
def thread(learner, other_learner):
    question = make.question(learner, title="Which Redis eviction policy for a cache?")
    make.answer(other_learner, question, body="allkeys-lru, with a maxmemory set.")
    return question


def token_for(user) -> str:
    _, raw = account_services.token_create(
        user=user, name="doors", scopes=["read", "write"], expires_at=None
    )
    return raw


def count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def test_an_answer_posted_through_the_api_shows_on_every_cached_read(
    thread, learner, mentor, django_capture_on_commit_callbacks
):
    visitor, signed_in = Client(), Client()
    signed_in.force_login(learner)
    url = thread.get_absolute_url()
    for client in (visitor, signed_in):  # fill the page cache and the thread's fragment
        client.get(url)
        assert b"volatile-ttl" not in client.get(url).content
    assert b"<strong>1</strong> answer<" in visitor.get("/questions/").content

    api = Client(headers={"Authorization": f"Bearer {token_for(mentor)}"})
    with django_capture_on_commit_callbacks(execute=True):
        posted = api.post(
            f"/api/v1/questions/{thread.pk}/answers",
            {"body": "volatile-ttl, if every key has an expiry."},
            content_type="application/json",
        )
    assert posted.status_code == 201, posted.content

    assert b"volatile-ttl" in visitor.get(url).content
    assert b"volatile-ttl" in signed_in.get(url).content
    assert b"<strong>2</strong> answers<" in visitor.get("/questions/").content
    detail = visitor.get(f"/api/v1/questions/{thread.pk}").json()
    assert any("volatile-ttl" in a["body_html"] for a in detail["answers"])
    query = "query($id: ID!) { question(id: $id) { answers { bodyHtml } } }"
    answers = gql.data(visitor, query, {"id": gql.gid("Question", thread.pk)})["question"]
    assert any("volatile-ttl" in a["bodyHtml"] for a in answers["answers"])


def test_a_renamed_category_shows_through_the_page_rest_and_graphql(
    django_capture_on_commit_callbacks,
):
    services.category_ensure(slug="redis", name="Redis")
    visitor = Client()
    visitor.get("/questions/")  # the sidebar is cached now
    assert visitor.get("/api/v1/categories").status_code == 200
    gql.data(visitor, "{ categories { name } }")

    with django_capture_on_commit_callbacks(execute=True):
        services.category_ensure(slug="redis", name="Redis caching")

    assert b"Redis caching" in visitor.get("/questions/").content
    names = [c["name"] for c in visitor.get("/api/v1/categories").json()]
    assert "Redis caching" in names
    assert "Redis caching" in [
        c["name"] for c in gql.data(visitor, "{ categories { name } }")["categories"]
    ]


@pytest.mark.parametrize("who", ["visitor", "learner", "mentor"])
def test_a_cold_cache_costs_no_more_queries_than_no_cache(who, thread, learner, mentor, settings):
    client = Client()
    if who != "visitor":
        client.force_login(learner if who == "learner" else mentor)
    paths = ["/", "/questions/", thread.get_absolute_url(), "/api/v1/questions"]
    for path in paths:
        client.get(path)  # sessions, first-request work: not what is compared
    settings.NEXUS_CACHE = False
    uncached = {path: count_queries(client, path) for path in paths}
    settings.NEXUS_CACHE = True
    for path in paths:
        cache.version_bump("site")  # every entry cold (pages and fragments depend on it)
        cold = count_queries(client, path)
        assert cold <= uncached[path], (path, cold, uncached[path])


def test_the_apis_answer_with_the_cache_down(thread, learner):
    token = token_for(learner)
    with override_settings(CACHES=redis_cache_at(CLOSED_PORT)):
        visitor = Client()
        assert visitor.get("/api/v1/questions").status_code == 200
        assert visitor.get(f"/api/v1/questions/{thread.pk}").status_code == 200
        with_token = Client(headers={"Authorization": f"Bearer {token}"})
        assert with_token.get("/api/v1/me").status_code == 200
        query = "query($id: ID!) { question(id: $id) { title answers { bodyHtml } } }"
        data = gql.data(with_token, query, {"id": gql.gid("Question", thread.pk)})
        assert data["question"]["title"] == thread.title
