"""The moderation log through GraphQL (`moderationLog`): the log page's readers (the same
permission function), its filters, keyset pages both ways, `totalCount`, and a query count
that does not grow with the entries."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from discussions.tests import factories as forum
from hub.tests.gql import data, gid, node
from moderation import permissions, services
from moderation.models import LogEntry
from moderation.tests import test_log
from moderation.tests.world import suspend

pytestmark = pytest.mark.django_db

# The log page's own fixtures: the same morning's moderation.
_roomy_limits = test_log._roomy_limits
history = test_log.history
other_mentor = test_log.other_mentor

LOG = """query($first: Int, $after: String, $last: Int, $before: String,
               $filter: ModerationLogFilter) {
  moderationLog(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    edges { cursor node {
      id action actionLabel targetKind targetId targetLabel targetUrl reason before after
      createdAt actor { handle } targetUser { handle }
    } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def _log(client, **variables):
    return data(client, LOG, variables)["moderationLog"]


def _actions(connection_) -> list[str]:
    return [edge["node"]["action"] for edge in connection_["edges"]]


def test_the_log_is_for_whoever_may_open_the_log_page(client, history, learner, mentor, admin_user):
    suspended_mentor = suspend(UserFactory(handle="resting-mentor", role="mentor"))
    cases = [(None, False), (learner, False), (mentor, True), (admin_user, True),
             (suspended_mentor, True)]  # fmt: skip
    for who, allowed in cases:
        client.logout()
        if who is not None:
            client.force_login(who)
        page = client.get("/mod/log/")
        got = _log(client, first=10)
        assert (page.status_code == 200) is allowed
        assert permissions.can_view_queue(who or AnonymousUser()) is allowed
        if allowed:
            assert len(got["edges"]) == LogEntry.objects.count() > 0
        else:
            assert got is None
    client.force_login(learner)
    entry = LogEntry.objects.first()
    assert node(client, gid("ModerationLogEntry", entry.pk)) is None
    client.force_login(mentor)
    assert node(client, gid("ModerationLogEntry", entry.pk)) == {
        "id": gid("ModerationLogEntry", entry.pk)
    }


def test_entries_read_as_on_the_page(client, history, mentor, other_learner):
    client.force_login(mentor)
    got = _log(client, first=10)
    newest = got["edges"][0]["node"]
    assert newest["action"] == "suspend"
    assert newest["actionLabel"] == "Suspended"
    assert newest["actor"] == {"handle": mentor.handle}
    assert newest["targetUser"] == {"handle": other_learner.handle}
    assert newest["targetKind"] == "user"
    assert newest["reason"] == "Rude to a fellow learner."
    system = next(e["node"] for e in got["edges"] if e["node"]["action"] == "auto_hide")
    assert system["actor"] is None
    assert got["totalCount"] == LogEntry.objects.count()


def test_filters_are_the_log_pages(client, history, mentor, other_mentor, other_learner):
    client.force_login(mentor)
    assert _actions(_log(client, first=50, filter={"action": "LOCK"})) == ["lock"]
    by_other = _log(client, first=50, filter={"actor": f"@{other_mentor.handle}"})
    assert sorted(_actions(by_other)) == ["hide", "lock"]
    assert by_other["totalCount"] == 2
    users = _log(client, first=50, filter={"kind": "USER"})
    assert _actions(users) == ["suspend"]
    touched = _log(client, first=50, filter={"person": other_learner.handle})
    assert set(_actions(touched)) == {"auto_hide", "flags_dismissed", "suspend"}
    both = _log(client, first=50, filter={"person": other_learner.handle, "action": "SUSPEND"})
    assert _actions(both) == ["suspend"]
    nobody = _log(client, first=50, filter={"actor": "no-such-person"})
    assert nobody["edges"] == [] and nobody["totalCount"] == 0


def _entries(mentor, n: int) -> None:
    for _ in range(n):
        q = forum.question(mentor)
        services.question_pin(actor=mentor, question=q, pinned=True)


def test_pages_forward_and_backward(client, mentor):
    _entries(mentor, 5)
    LogEntry.objects.update(created_at=timezone.now() - timedelta(hours=1))  # ties on time
    newest_first = [
        gid("ModerationLogEntry", pk)
        for pk in LogEntry.objects.order_by("-created_at", "-pk").values_list("pk", flat=True)
    ]
    client.force_login(mentor)

    def ids(page):
        return [edge["node"]["id"] for edge in page["edges"]]

    page1 = _log(client, first=2)
    assert ids(page1) == newest_first[:2]
    assert page1["pageInfo"]["hasNextPage"] is True
    assert page1["pageInfo"]["hasPreviousPage"] is False
    page2 = _log(client, first=2, after=page1["pageInfo"]["endCursor"])
    assert ids(page2) == newest_first[2:4]
    assert page2["pageInfo"]["hasPreviousPage"] is True
    page3 = _log(client, first=2, after=page2["pageInfo"]["endCursor"])
    assert ids(page3) == newest_first[4:]
    assert page3["pageInfo"]["hasNextPage"] is False
    back = _log(client, last=2, before=page3["pageInfo"]["startCursor"])
    assert ids(back) == newest_first[2:4]
    assert back["pageInfo"]["hasPreviousPage"] is True
    newest = _log(client, last=2, before=page1["pageInfo"]["endCursor"])
    assert ids(newest) == newest_first[:1]
    assert newest["pageInfo"]["hasPreviousPage"] is False


def test_query_count_does_not_grow_with_the_entries(client, mentor, learner):
    client.force_login(mentor)
    _entries(mentor, 2)
    services.user_suspend(
        actor=mentor, user=learner, until=timezone.now() + timedelta(days=1), reason="Spam"
    )
    filtered = {"person": learner.handle}
    with CaptureQueriesContext(connection) as small:
        first = _log(client, first=100)
        _log(client, first=100, filter=filtered)
    _entries(mentor, 6)
    for n in range(3):
        other = UserFactory(handle=f"spammer-{n}")
        services.user_suspend(
            actor=mentor, user=other, until=timezone.now() + timedelta(days=1), reason="Spam"
        )
    with CaptureQueriesContext(connection) as large:
        second = _log(client, first=100)
        _log(client, first=100, filter=filtered)
    assert len(second["edges"]) == len(first["edges"]) + 9
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
