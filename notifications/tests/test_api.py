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


def send(client, method, url, data=None):
    return getattr(client, method)(url, data, content_type="application/json")


def test_mark_read_one_and_all_and_not_anothers(client, learner, other_learner, mentor):
    from notifications.models import Notification

    tell(learner, mentor, 1)
    tell(learner, mentor, 2)
    tell(other_learner, mentor, 3)
    theirs = Notification.objects.get(recipient=other_learner)
    client.force_login(learner)
    first = Notification.objects.filter(recipient=learner).first()
    assert send(client, "post", f"/api/v1/notifications/{first.pk}/read").json() == {
        "unread_count": 1
    }
    assert send(client, "post", f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert not Notification.objects.get(pk=theirs.pk).is_read
    assert send(client, "post", "/api/v1/notifications/read").json() == {"unread_count": 0}
    assert Notification.objects.filter(recipient=other_learner, is_read=False).count() == 1


def test_preferences(client, learner):
    client.force_login(learner)
    rows = client.get("/api/v1/notifications/preferences").json()
    kind = rows[0]["kind"]
    changed = send(client, "put", "/api/v1/notifications/preferences",
                   {"kind": kind, "email_mode": "off"}).json()  # fmt: skip
    assert next(r for r in changed if r["kind"] == kind)["email_mode"] == "off"
    bad = send(client, "put", "/api/v1/notifications/preferences",
               {"kind": kind, "email_mode": "hourly"})  # fmt: skip
    assert bad.status_code == 400 and "email_mode" in bad.json()["errors"]
