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
    paths = ["/", "/questions/", thread.get_absolute_url(), *api_paths(thread)]
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


# --- The REST reads kept in hub.cache (hub/api/shared.py) -----------------------------------


@pytest.fixture
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 1000, "new": 1000},
        "reply": {"hour": 1000, "new": 1000},
    }


def titles(client: Client, path: str = "/api/v1/questions") -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_the_question_list_shows_a_write_on_the_next_read_for_visitors_and_tokens(
    thread, learner, other_learner, _roomy_limits, django_capture_on_commit_callbacks
):
    visitor = Client()
    with_token = Client(headers={"Authorization": f"Bearer {token_for(other_learner)}"})
    for client in (visitor, with_token):
        assert titles(client) == titles(client) == [thread.title]  # the second one a hit
    with django_capture_on_commit_callbacks(execute=True):
        asked = make.question(learner, title="Does Redis keep keys after a restart?")
    for client in (visitor, with_token):
        assert titles(client) == [asked.title, thread.title]
    with django_capture_on_commit_callbacks(execute=True):
        services.question_edit(
            editor=learner,
            question=asked,
            title="Does Redis persist keys?",
            body=asked.body,
            category=asked.category,
            tags=["redis"],
        )
    for client in (visitor, with_token):
        assert titles(client)[0] == "Does Redis persist keys?"
        rows = client.get("/api/v1/questions?tag=redis").json()["results"]
        assert [row["tags"] for row in rows] == [["redis"]]


def test_hidden_questions_reach_only_their_author_and_mentors_through_the_cached_list(
    thread, learner, other_learner, mentor, django_capture_on_commit_callbacks
):
    from moderation.services import content_hide

    with django_capture_on_commit_callbacks(execute=True):
        hidden = make.question(other_learner, title="Which Redis client should I pick?")
        content_hide(actor=mentor, target=hidden, reason="Asked twice")
    author = Client(headers={"Authorization": f"Bearer {token_for(other_learner)}"})
    someone = Client(headers={"Authorization": f"Bearer {token_for(learner)}"})
    overseer = Client(headers={"Authorization": f"Bearer {token_for(mentor)}"})
    visitor = Client()
    for _ in range(2):  # cold, then warm: the same for each
        assert titles(visitor) == [thread.title]
        assert titles(someone) == [thread.title]
        assert titles(author) == [hidden.title, thread.title]
        assert titles(overseer) == [hidden.title, thread.title]


def test_a_thread_read_through_the_api_shows_each_write_at_once_and_only_its_viewer_votes(
    thread, learner, other_learner, mentor, _roomy_limits, django_capture_on_commit_callbacks
):
    from moderation.services import content_hide

    url = f"/api/v1/questions/{thread.pk}"
    visitor = Client()
    voter = Client(headers={"Authorization": f"Bearer {token_for(learner)}"})
    overseer = Client(headers={"Authorization": f"Bearer {token_for(mentor)}"})
    for client in (visitor, voter, visitor, voter):
        assert len(client.get(url).json()["answers"]) == 1
    answer = thread.answers.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_toggle(user=learner, post=answer)
        later = make.answer(mentor, thread, body="Or volatile-lru for keys with a TTL.")
        make.comment(other_learner, body="Thanks, that worked.", answer=answer)
    seen = visitor.get(url).json()
    assert [a["id"] for a in seen["answers"]] == [answer.pk, later.pk]
    assert seen["answers"][0]["score"] == 1 and not seen["answers"][0]["voted"]
    assert [c["body_html"].strip() for c in seen["answers"][0]["comments"]] == [
        "<p>Thanks, that worked.</p>"
    ]
    mine = voter.get(url).json()
    assert [a["voted"] for a in mine["answers"]] == [True, False]
    assert not visitor.get(url).json()["answers"][0]["voted"]  # warm: still nobody's vote

    with django_capture_on_commit_callbacks(execute=True):
        content_hide(actor=mentor, target=later, reason="Off topic")
    assert [a["id"] for a in visitor.get(url).json()["answers"]] == [answer.pk]
    assert [a["id"] for a in voter.get(url).json()["answers"]] == [answer.pk]
    shown = overseer.get(url).json()["answers"]
    assert [(a["id"], a["is_hidden"]) for a in shown] == [(answer.pk, False), (later.pk, True)]

    with django_capture_on_commit_callbacks(execute=True):
        own = make.answer(learner, thread, body="Mine, about maxmemory-samples.")
        content_hide(actor=mentor, target=own, reason="Off topic")
    visitor.get(url)  # the shared copy, without it
    assert [a["id"] for a in visitor.get(url).json()["answers"]] == [answer.pk]
    mine = voter.get(url).json()["answers"]
    assert [(a["id"], a["voted"]) for a in mine] == [(answer.pk, True), (own.pk, False)]


def test_the_project_gallery_and_a_project_show_a_write_on_the_next_read(
    learner, other_learner, django_capture_on_commit_callbacks
):
    from projects import services as project_services
    from projects.tests import factories as showcase

    with django_capture_on_commit_callbacks(execute=True):
        project = showcase.project(other_learner, title="Library API")
    url = f"/api/v1/projects/{project.pk}"
    visitor = Client()
    fan = Client(headers={"Authorization": f"Bearer {token_for(learner)}"})
    for client in (visitor, fan, visitor, fan):
        assert client.get("/api/v1/projects").json()["results"][0]["star_count"] == 0
        assert client.get(url).json()["feedback"] == []
    with django_capture_on_commit_callbacks(execute=True):
        project_services.star_toggle(user=learner, project=project)
        showcase.feedback(learner, project, body="Add pagination to the list.")
        showcase.project(other_learner, title="Chess club API")
    for client, starred in ((visitor, False), (fan, True), (visitor, False), (fan, True)):
        rows = client.get("/api/v1/projects").json()["results"]
        assert [(r["title"], r["star_count"], r["starred"]) for r in rows] == [
            ("Chess club API", 0, False),
            ("Library API", 1, starred),
        ]
        detail = client.get(url).json()
        assert detail["star_count"] == 1 and detail["starred"] is starred
        assert [f["body_html"].strip() for f in detail["feedback"]] == [
            "<p>Add pagination to the list.</p>"
        ]


def api_paths(thread) -> list[str]:
    from projects.tests import factories as showcase

    project = showcase.project(thread.author, title="Library API")
    return [
        "/api/v1/questions",
        f"/api/v1/questions?category={thread.category.slug}",
        f"/api/v1/questions/{thread.pk}",
        "/api/v1/projects",
        f"/api/v1/projects/{project.pk}",
    ]


# Which reads come from the shared copy, per viewer: (who, path index) pairs that do not.
UNSHARED = {("mentor", 0), ("mentor", 1), ("token", 4), ("mentor", 4)}


@pytest.mark.parametrize("who", ["visitor", "token", "mentor"])
def test_cached_api_reads_answer_alike_in_fewer_queries_with_every_door_header(
    who, thread, learner, mentor, settings
):
    """A mentor's question lists hold every hidden question, and a signed-in viewer's
    project page their own hidden feedback: those are computed as without a cache."""
    paths = api_paths(thread)
    client = Client()
    if who != "visitor":
        token = token_for(learner if who == "token" else mentor)
        client = Client(headers={"Authorization": f"Bearer {token}"})
    settings.NEXUS_CACHE = False
    for path in paths:
        client.get(path)  # first-request work (a token's last-used time): not compared
    uncached = {path: (count_queries(client, path), client.get(path)) for path in paths}
    settings.NEXUS_CACHE = True
    for index, path in enumerate(paths):
        client.get(path)  # fills the entry
        warm = count_queries(client, path)
        response = client.get(path)
        queries, before = uncached[path]
        assert response.content == before.content, path
        for header in ("ETag", "Vary", "Cache-Control", "RateLimit-Limit", "Link"):
            assert response.get(header) == before.get(header), (path, header)
        assert int(response["RateLimit-Remaining"]) < int(before["RateLimit-Remaining"])
        again = client.get(path, headers={"If-None-Match": response["ETag"]})
        assert again.status_code == 304 and again["ETag"] == response["ETag"]
        if (who, index) in UNSHARED:
            assert warm <= queries, (path, warm, queries)  # other caches (the topics)
        else:
            assert warm < queries, (path, warm, queries)
