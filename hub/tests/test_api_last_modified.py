"""Last-Modified and If-Modified-Since on the REST API's shared reads (hub/api/shared.py,
hub/api/base.py, by hub.last_modified's rule): a copy's date is the next whole second after
it was computed, sent only once that second had come when the read began; a 304 only for the
copy the client holds; the ETag decides whenever the client sent one; a body that is not a
shared copy as it is (the viewer's votes, stars, hidden posts) carries no date at all.

The clock hub.api.shared reads is a fake one here, moved forward by hand as real time moves.
"""

import pytest
from django.test import Client
from django.utils.http import http_date

from accounts import services as account_services
from discussions import services
from discussions.tests import factories as make
from hub.api import shared
from projects import services as project_services
from projects.tests import factories as showcase

pytestmark = [pytest.mark.cached, pytest.mark.django_db]

T = 1_800_000_000  # a whole second; the fake clock starts just after it
KEPT = ("ETag", "Last-Modified", "Vary", "Cache-Control", "Link", "RateLimit-Limit",
        "RateLimit-Reset")  # fmt: skip


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(T + 0.2)
    monkeypatch.setattr(shared, "time", fake)
    return fake


@pytest.fixture
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 1000, "new": 1000},
        "reply": {"hour": 1000, "new": 1000},
    }


@pytest.fixture
def questions(learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = make.question(learner, title="Which Redis eviction policy for a cache?")
        make.question(learner, title="How long should a cache entry live?")
    return first


def token_client(user) -> Client:
    _, raw = account_services.token_create(
        user=user, name="dates", scopes=["read", "write"], expires_at=None
    )
    return Client(headers={"Authorization": f"Bearer {raw}"})


LIST = "/api/v1/questions?limit=1"  # two questions: a next page, so a Link header too


def test_a_shared_read_carries_last_modified_once_its_second_has_come(clock, questions):
    visitor = Client()
    computed = visitor.get(LIST)
    assert computed.status_code == 200 and "Last-Modified" not in computed
    clock.now = T + 0.9  # a hit, but the second after T + 0.2 has not come
    assert "Last-Modified" not in visitor.get(LIST)
    clock.now = T + 1.0
    dated = visitor.get(LIST)
    assert dated["Last-Modified"] == http_date(T + 1)
    assert dated.content == computed.content and dated["ETag"] == computed["ETag"]
    clock.now = T + 50  # every later hit: the same date, that of the entry
    assert visitor.get(LIST)["Last-Modified"] == http_date(T + 1)


def test_an_if_modified_since_of_that_date_is_a_304_with_the_headers_kept(clock, questions):
    visitor = Client()
    visitor.get(LIST)
    clock.now = T + 2
    full = visitor.get(LIST)
    assert full["Last-Modified"] == http_date(T + 1) and "next" in full["Link"]
    for since in (T + 1, T + 30):
        again = visitor.get(LIST, headers={"If-Modified-Since": http_date(since)})
        assert again.status_code == 304 and again.content == b""
        for header in KEPT:
            assert again[header] == full[header], header
        assert int(again["RateLimit-Remaining"]) < int(full["RateLimit-Remaining"])
    older = visitor.get(LIST, headers={"If-Modified-Since": http_date(T)})
    assert older.status_code == 200 and older.content == full.content
    head = visitor.head(LIST, headers={"If-Modified-Since": http_date(T + 1)})
    assert head.status_code == 304


def test_after_a_write_the_same_if_modified_since_gets_the_new_body(
    clock, questions, learner, django_capture_on_commit_callbacks
):
    visitor = Client()
    path = "/api/v1/questions"
    visitor.get(path)
    clock.now = T + 1.5
    held = visitor.get(path)
    since = held["Last-Modified"]
    assert since == http_date(T + 1)
    # The write comes within the second the client's date names.
    with django_capture_on_commit_callbacks(execute=True):
        services.question_edit(
            editor=learner,
            question=questions,
            title="Which Redis eviction policy suits a cache?",
            body=questions.body,
            category=questions.category,
            tags=["redis"],
        )
    for now in (T + 1.5, T + 1.9, T + 2.0, T + 60):
        clock.now = now
        fresh = visitor.get(path, headers={"If-Modified-Since": since})
        assert fresh.status_code == 200, now
        titles = [row["title"] for row in fresh.json()["results"]]
        assert "Which Redis eviction policy suits a cache?" in titles
        assert fresh.get("Last-Modified") in (None, http_date(T + 2))
    assert fresh["Last-Modified"] == http_date(T + 2)
    assert visitor.get(path, headers={"If-Modified-Since": http_date(T + 2)}).status_code == 304


def test_the_etag_decides_when_the_client_sent_one(clock, questions):
    visitor = Client()
    visitor.get(LIST)
    clock.now = T + 2
    full = visitor.get(LIST)
    since = full["Last-Modified"]
    other = visitor.get(LIST, headers={"If-None-Match": '"not-this-one"',
                                       "If-Modified-Since": since})  # fmt: skip
    assert other.status_code == 200 and other.content == full.content
    assert other["Last-Modified"] == since
    same = visitor.get(LIST, headers={"If-None-Match": full["ETag"],
                                      "If-Modified-Since": http_date(T)})  # fmt: skip
    assert same.status_code == 304 and same["Last-Modified"] == since


def test_the_shared_copy_is_dated_whoever_gets_it_whole(clock, questions, learner, other_learner):
    """A member's question list is the public one (they have no hidden question); a
    visitor's project and gallery are the shared copies as they are."""
    project = showcase.project(other_learner, title="Library API")
    member = token_client(learner)
    paths = [LIST, f"/api/v1/projects/{project.pk}", "/api/v1/projects"]
    for path in paths:
        Client().get(path)
    clock.now = T + 3
    for client, path in [(member, LIST), *((Client(), path) for path in paths)]:
        response = client.get(path)
        assert response["Last-Modified"] == http_date(T + 1), path
        since = {"If-Modified-Since": response["Last-Modified"]}
        assert client.get(path, headers=since).status_code == 304, path


def test_per_viewer_reads_carry_no_last_modified(
    clock, questions, learner, other_learner, mentor, django_capture_on_commit_callbacks
):
    """A mentor's list (every hidden question), a thread (its question, comments and votes
    are read per request), a member's gallery with their stars laid over it, a member's
    project (their own hidden feedback) and their own questions: none is a shared copy as
    it is, so none has a date, and If-Modified-Since never makes a 304 of them."""
    with django_capture_on_commit_callbacks(execute=True):
        project = showcase.project(other_learner, title="Library API")
        project_services.star_toggle(user=learner, project=project)
    member, overseer = token_client(learner), token_client(mentor)
    reads = [
        (overseer, LIST),
        (member, f"/api/v1/questions/{questions.pk}"),
        (Client(), f"/api/v1/questions/{questions.pk}"),
        (member, "/api/v1/projects"),
        (member, f"/api/v1/projects/{project.pk}"),
        (member, "/api/v1/questions?show=mine"),
    ]
    for client, path in reads:
        client.get(path)
    clock.now = T + 60
    far = {"If-Modified-Since": http_date(T + 3600)}
    for client, path in reads:
        response = client.get(path)
        assert response.status_code == 200 and "Last-Modified" not in response, path
        assert client.get(path, headers=far).status_code == 200, path
        assert client.get(path, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_without_the_cache_nothing_is_dated(clock, questions, settings):
    settings.NEXUS_CACHE = False
    visitor = Client()
    visitor.get(LIST)
    clock.now = T + 60
    response = visitor.get(LIST, headers={"If-Modified-Since": http_date(T + 3600)})
    assert response.status_code == 200 and "Last-Modified" not in response
