"""Notifications through GraphQL: the viewer's own, never another's (IDOR by global id)."""

import pytest

from discussions.tests import factories as forum
from hub.tests.gql import data, gid, node
from notifications.models import Notification

pytestmark = pytest.mark.django_db

LIST = """query($first: Int, $after: String) {
  unreadNotificationCount
  notifications(first: $first, after: $after) {
    edges { node { id kind message isRead actor { handle } } }
    pageInfo { hasNextPage endCursor } } }"""


def test_own_notifications_only(client, learner, other_learner):
    q = forum.question(learner)
    forum.answer(other_learner, q)
    mine = Notification.objects.get(recipient=learner)
    client.force_login(learner)
    got = data(client, LIST, {"first": 10})
    assert got["unreadNotificationCount"] == 1
    [edge] = got["notifications"]["edges"]
    assert edge["node"]["id"] == gid("Notification", mine.pk)
    assert edge["node"]["actor"]["handle"] == other_learner.handle
    # Another person asks for it by id, and through the list: nothing.
    client.force_login(other_learner)
    assert node(client, gid("Notification", mine.pk)) is None
    assert data(client, LIST, {"first": 10})["notifications"]["edges"] == []
    client.logout()
    assert data(client, LIST, {"first": 10})["unreadNotificationCount"] == 0


def test_pages_by_keyset(client, learner, other_learner, settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 100, "new": 100},
        "reply": {"hour": 100, "new": 100},
    }
    for _ in range(3):
        forum.answer(other_learner, forum.question(learner))
    client.force_login(learner)
    page1 = data(client, LIST, {"first": 2})["notifications"]
    assert len(page1["edges"]) == 2 and page1["pageInfo"]["hasNextPage"]
    page2 = data(client, LIST, {"first": 2, "after": page1["pageInfo"]["endCursor"]})
    assert len(page2["notifications"]["edges"]) == 1
    ids = {e["node"]["id"] for e in page1["edges"] + page2["notifications"]["edges"]}
    assert len(ids) == 3
