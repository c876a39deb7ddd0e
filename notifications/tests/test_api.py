"""The notifications API: yours only, by keyset."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Kind
from notifications.services import notify

pytestmark = pytest.mark.django_db


def tell(user, actor, n):
    notify(recipients=[user], kind=Kind.ANSWER_ON_FOLLOWED, actor=actor,
           target_key=f"question:{n}", target_title=f"Thread {n}", url=f"/q/{n}/")  # fmt: skip


def test_needs_authentication(client):
    assert client.get("/api/v1/notifications").status_code == 401


def test_mine_only_newest_first(client, learner, other_learner, mentor):
    tell(learner, mentor, 1)
    tell(learner, mentor, 2)
    tell(other_learner, mentor, 3)
    client.force_login(learner)
    body = client.get("/api/v1/notifications").json()
    assert [r["target_title"] for r in body["results"]] == ["Thread 2", "Thread 1"]
    assert body["unread_count"] == 2
    assert body["results"][0]["html_url"] == "http://testserver/q/2/"
    assert body["results"][0]["actor"]["handle"] == mentor.handle


def test_query_count_is_constant(client, learner, mentor):
    client.force_login(learner)
    tell(learner, mentor, 1)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/notifications")
    for n in range(2, 8):
        tell(learner, mentor, n)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/notifications").json()["results"]) == 7
    assert len(few.captured_queries) == len(many.captured_queries)
