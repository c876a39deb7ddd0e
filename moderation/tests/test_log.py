"""The moderation log page: who sees it, what each entry shows, its filters (each served
by an index), keyset pagination and a constant query count."""

import re
from base64 import urlsafe_b64encode
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.tests.factories import UserFactory
from discussions import services as forum_services
from discussions.models import Question
from discussions.tests import factories as forum
from hub.keyset import cursor_decode, cursor_encode
from moderation import selectors, services
from moderation.models import Action, Case, LogEntry, TargetKind
from moderation.services.log import record

pytestmark = pytest.mark.django_db
LOG = "/mod/log/"


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }
    settings.NEXUS_FLAG_HIDE_THRESHOLD = 3


@pytest.fixture
def other_mentor(db):
    return UserFactory(handle="mentor-two", display_name="Max Mentor", role=Role.MENTOR)


@pytest.fixture
def history(learner, other_learner, mentor, other_mentor):
    """A morning's moderation: flags hide an answer, a mentor dismisses them; another
    mentor hides and locks a question; a learner is suspended."""
    question = forum.question(learner, title="Where do Celery results go by default?")
    answer = forum.answer(other_learner, question, body="Into the void, obviously.")
    for n in range(3):
        reporter = UserFactory(handle=f"flagger-{n}")
        services.flag_create(reporter=reporter, target=answer, reason="abusive")
    case = Case.objects.get(kind="answer", object_id=answer.pk)
    services.case_resolve(mentor=mentor, case=case, agree=False, note="Blunt, not abusive.")
    other = forum.question(learner, title="Buy cheap followers here, limited offer")
    services.content_hide(actor=other_mentor, target=other, reason="An advert.")
    services.question_lock(
        actor=other_mentor, question=Question.objects.get(pk=question.pk), reason="Settled."
    )
    services.user_suspend(
        actor=mentor,
        user=other_learner,
        until=timezone.now() + timedelta(days=3),
        reason="Rude to a fellow learner.",
    )
    return {"question": question, "answer": answer, "advert": other}


def entries_of(response) -> list[str]:
    return [entry.action for entry in response.context["page"].entries]


# --- Who sees it -------------------------------------------------------------------------------


def test_the_log_is_for_mentors(client, learner, mentor):
    response = client.get(LOG)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(learner)
    assert client.get(LOG).status_code == 403
    client.force_login(mentor)
    response = client.get(LOG)
    assert response.status_code == 200
    assert "Nothing has been moderated yet." in response.text
    assert selectors.log_entries(viewer=learner).entries == []


def test_the_log_keeps_to_the_content_security_policy(client, mentor, history):
    client.force_login(mentor)
    html = client.get(LOG).text
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "css/moderation.css" in html


# --- What an entry shows -----------------------------------------------------------------------


def test_entries_show_who_what_target_person_reason_and_before(
    client, mentor, other_learner, history
):
    client.force_login(mentor)
    response = client.get(LOG)
    assert entries_of(response) == [
        Action.SUSPEND,
        Action.LOCK,
        Action.HIDE,
        Action.FLAGS_DISMISSED,
        Action.AUTO_HIDE,
    ]
    text = response.text
    rows = {entry.action: entry for entry in response.context["page"].entries}

    def row(action: str) -> str:
        match = re.search(rf'<tr id="log-{rows[action].pk}">(.*?)</tr>', text, re.S)
        assert match, action
        return match.group(1)

    auto = row(Action.AUTO_HIDE)
    assert '<span class="badge">Flags</span>' in auto  # the system acted
    assert "Hidden by flags" in auto and "Flagged by 3 people" in auto
    assert history["answer"].get_absolute_url() in auto
    assert "Omar Other" in auto  # the person touched

    dismissed = row(Action.FLAGS_DISMISSED)
    assert "Mia Mentor" in dismissed and "Flags dismissed" in dismissed
    assert "Blunt, not abusive." in dismissed
    assert "<dt>Hidden</dt><dd>yes → no</dd>" in dismissed  # what changed, readably

    hidden = row(Action.HIDE)
    assert "Max Mentor" in hidden and "An advert." in hidden
    assert "<dt>Hidden</dt><dd>no → yes</dd>" in hidden

    suspended = row(Action.SUSPEND)
    assert "Account" in suspended and f"@{other_learner.handle}" in suspended
    assert "Rude to a fellow learner." in suspended
    until = other_learner.__class__.objects.get(pk=other_learner.pk).suspended_until
    assert f"<dt>Suspended until</dt><dd>— → {until:%-d %b %Y, %H:%M} UTC</dd>" in suspended
    assert "+00:00</dd>" not in suspended  # not the stored ISO string


def test_an_edit_shows_what_changed_from_what_to_what(client, learner, mentor):
    question = forum.question(learner, title="Celery retries, how?")
    forum_services.question_edit(
        editor=mentor,
        question=question,
        title="How do Celery retries back off?",
        body=question.body,
        category=question.category,
    )
    client.force_login(mentor)
    text = client.get(LOG).text
    assert "<dt>Title</dt><dd>Celery retries, how? → How do Celery retries back off?</dd>" in text
    assert "<dt>body</dt>" not in text.lower()  # unchanged fields are left out


# --- Filters -----------------------------------------------------------------------------------


def test_filters_by_action_actor_kind_and_person(client, mentor, learner, other_learner, history):
    client.force_login(mentor)
    assert entries_of(client.get(LOG, {"action": "hide"})) == [Action.HIDE]
    assert entries_of(client.get(LOG, {"actor": "mentor-two"})) == [Action.LOCK, Action.HIDE]
    assert entries_of(client.get(LOG, {"actor": "@Mentor-One"})) == [
        Action.SUSPEND,
        Action.FLAGS_DISMISSED,
    ]
    assert entries_of(client.get(LOG, {"kind": "user"})) == [Action.SUSPEND]
    assert entries_of(client.get(LOG, {"kind": "answer"})) == [
        Action.FLAGS_DISMISSED,
        Action.AUTO_HIDE,
    ]
    assert entries_of(client.get(LOG, {"person": learner.handle})) == [Action.LOCK, Action.HIDE]
    assert entries_of(client.get(LOG, {"person": other_learner.handle, "kind": "answer"})) == [
        Action.FLAGS_DISMISSED,
        Action.AUTO_HIDE,
    ]
    assert entries_of(client.get(LOG, {"action": "lock", "actor": "mentor-one"})) == []
    empty = client.get(LOG, {"action": "pin"})
    assert "No action matches these filters." in empty.text
    # The form remembers the filters, and works without JavaScript (a GET form).
    page = client.get(LOG, {"action": "hide", "actor": "mentor-two"}).text
    assert '<form class="log-filters" method="get"' in page
    assert '<option value="hide" selected>' in page and 'value="mentor-two"' in page
    assert '<label class="field__label" for="id_person">Person touched' in page


def test_filters_explain_bad_input(client, mentor, history):
    client.force_login(mentor)
    unknown = client.get(LOG, {"actor": "ghost"})
    assert unknown.status_code == 200 and "Nobody here is called @ghost." in unknown.text
    wrong = client.get(LOG, {"action": "obliterate"})
    assert wrong.status_code == 400
    assert "Select a valid choice" in wrong.text and "<table" not in wrong.text
    garbled = client.get(LOG, {"after": "%%%not-a-cursor"})
    assert garbled.status_code == 200 and len(garbled.context["page"].entries) == 5


def _plan(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A test table is tiny: make the planner show the path it would take at size.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        return queryset.explain()
    return queryset.explain()


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "log_newest"),
        ({"action": Action.HIDE}, "log_action"),
        ({"actor_id": 1}, "log_actor"),
        ({"target_user_id": 1}, "log_target_user"),
        ({"action": Action.HIDE, "target_kind": TargetKind.ANSWER}, "log_action"),
        ({"actor_id": 1, "target_kind": TargetKind.QUESTION}, "log_actor"),
        ({"target_user_id": 1, "target_kind": TargetKind.USER}, "log_target_user"),
    ],
)
def test_every_filter_is_served_by_an_index(filters, index, history):
    plan = _plan(selectors.log_entries_query(**filters)[:30])
    assert index in plan, plan
    # Read in the index's order: no sort step.
    assert "TEMP B-TREE" not in plan and not re.search(r"^\s*(->\s*)?Sort\b", plan, re.M), plan


def test_the_target_kind_alone_reads_an_index(history):
    plan = _plan(selectors.log_entries_query(target_kind=TargetKind.USER)[:30])
    assert re.search(r"log_newest|log_target", plan), plan


# --- Pages -------------------------------------------------------------------------------------


def _entries(n: int, actor, person) -> None:
    start = timezone.now() - timedelta(hours=n)
    for i in range(n):
        entry = record(
            actor=actor,
            action=Action.PIN if i % 2 else Action.UNPIN,
            target_kind=TargetKind.QUESTION,
            target_id=i + 1,
            target_label=f"Question number {i}",
            target_url=f"/q/{i + 1}/",
            target_user=person,
            before={"pinned": bool(i % 2 == 0)},
        )
        # Two entries share each moment: the cursor must still split them right.
        LogEntry.objects.filter(pk=entry.pk).update(created_at=start + timedelta(hours=i // 2))


def test_keyset_pages_newest_first_keep_the_filters(client, mentor, learner):
    _entries(selectors.LOG_PAGE_SIZE + 5, mentor, learner)
    client.force_login(mentor)
    first = client.get(LOG, {"person": learner.handle})
    page = first.context["page"]
    assert len(page.entries) == selectors.LOG_PAGE_SIZE and page.next_cursor
    assert f"?person={learner.handle}&amp;after={page.next_cursor}" in first.text
    assert "Newest" not in first.text.split('class="pagination"')[1]

    second = client.get(LOG, {"person": learner.handle, "after": page.next_cursor})
    rest = second.context["page"]
    assert len(rest.entries) == 5 and rest.next_cursor is None
    seen = [e.pk for e in page.entries] + [e.pk for e in rest.entries]
    assert len(set(seen)) == len(seen) == LogEntry.objects.count()
    stamps = [(e.created_at, e.pk) for e in [*page.entries, *rest.entries]]
    assert stamps == sorted(stamps, reverse=True)
    assert f'href="{reverse("moderation:log")}?person={learner.handle}">Newest' in second.text


def _legacy_cursor(entry: LogEntry) -> str:
    """The log's own cursor before it moved onto hub.keyset: base64url of `iso|id`."""
    raw = f"{entry.created_at.isoformat()}|{entry.pk}"
    return urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_the_log_cursor_is_hub_keysets(client, mentor, learner):
    _entries(selectors.LOG_PAGE_SIZE + 3, mentor, learner)
    client.force_login(mentor)
    page = client.get(LOG).context["page"]
    last = page.entries[-1]
    assert page.next_cursor == cursor_encode(last.created_at, last.pk)
    assert cursor_decode(page.next_cursor) == (last.created_at, last.pk)
    assert selectors.log_entry_cursor(last) == page.next_cursor  # GraphQL's edges too


def test_an_old_format_cursor_still_turns_the_page(client, mentor, learner):
    """Links written with the log's earlier `iso|id` cursor (bookmarks, a browser's
    history) go on from the same entry, on the page and in the REST API."""
    _entries(selectors.LOG_PAGE_SIZE + 3, mentor, learner)
    client.force_login(mentor)
    first = client.get(LOG).context["page"]
    new = client.get(LOG, {"after": first.next_cursor})
    old = client.get(LOG, {"after": _legacy_cursor(first.entries[-1])})
    assert old.status_code == 200
    assert [e.pk for e in old.context["page"].entries] == [
        e.pk for e in new.context["page"].entries
    ]
    assert len(new.context["page"].entries) == 3

    api_client = APIClient()
    api_client.force_authenticate(mentor)
    api = api_client.get("/api/v1/mod/log", {"after": _legacy_cursor(first.entries[-1])})
    assert api.status_code == 200
    assert [e["id"] for e in api.json()["results"]] == [e.pk for e in new.context["page"].entries]


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%not-a-cursor",
        urlsafe_b64encode(b"2026-12-01T10:00:00|7").decode(),  # old format, naive time
        urlsafe_b64encode(b"yesterday|7").decode(),
        urlsafe_b64encode(b"2026-12-01T10:00:00+00:00|7|8").decode(),
        cursor_encode("2026-12-01T10:00:00", 7),  # hub.keyset's, naive time
        cursor_encode(12, 7),
        urlsafe_b64encode(bytes([255, 254, 253])).decode(),
    ],
)
def test_a_cursor_that_does_not_parse_answers_the_first_page(client, mentor, learner, cursor):
    _entries(selectors.LOG_PAGE_SIZE + 3, mentor, learner)
    client.force_login(mentor)
    first = [e.pk for e in client.get(LOG).context["page"].entries]
    response = client.get(LOG, {"after": cursor})
    assert response.status_code == 200
    assert [e.pk for e in response.context["page"].entries] == first


def test_the_log_runs_the_same_queries_however_long_it_is(client, mentor, learner):
    _entries(3, mentor, learner)
    client.force_login(mentor)

    def count(params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LOG, params).status_code == 200
        return len(ctx.captured_queries)

    small = [count({}), count({"actor": mentor.handle, "person": learner.handle})]
    _entries(selectors.LOG_PAGE_SIZE + 10, mentor, learner)
    other = UserFactory(handle="someone-else")
    _entries(5, other, other)
    assert [count({}), count({"actor": mentor.handle, "person": learner.handle})] == small
