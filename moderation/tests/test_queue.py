"""The mentors' queue: its three tabs, claims and resolutions through both doors (plain
form posts and HTMX), the response-time figures, constant query counts and the live
catch-up."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from discussions.models import Question
from discussions.tests import factories as forum
from moderation import selectors, services
from moderation.models import Action, Case, LogEntry, QuestionClaim
from moderation.targets import target_of
from projects import services as project_services
from projects.tests import factories as showcase

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
QUEUE = "/mod/"
TIMES = "\N{MULTIPLICATION SIGN}"  # as in "Spam x 2" on a row


@pytest.fixture(autouse=True)
def _roomy_limits(settings):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }
    settings.NEXUS_FLAG_HIDE_THRESHOLD = 3


@pytest.fixture
def flaggers(db):
    return [UserFactory(handle=f"flagger-{n}", display_name=f"Flagger {n}") for n in range(4)]


@pytest.fixture
def other_mentor(db):
    return UserFactory(handle="mentor-two", display_name="Max Mentor", role=Role.MENTOR)


def flag(post, *reporters, reason="spam", detail=""):
    for reporter in reporters:
        services.flag_create(reporter=reporter, target=post, reason=reason, detail=detail)
    return Case.objects.get(kind=target_of(post).kind, object_id=post.pk, state=Case.State.OPEN)


def position(text: str, needle: str) -> int:
    index = text.find(needle)
    assert index >= 0, f"{needle!r} is not on the page"
    return index


def row(text: str, element_id: str) -> str:
    """One row of a queue tab: from its id to the next row or the end of the list."""
    rest = text[position(text, f'id="{element_id}"') :]
    return re.split(r'<li class="queue-item|</ol>', rest, maxsplit=1)[0]


def toast(response) -> str:
    return json.loads(response["HX-Trigger"])["nexus:toast"]["message"]


# --- Who sees the queue ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (QUEUE, f"{QUEUE}?tab=waiting", reverse("moderation:log")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_learners_are_refused(client, learner):
    client.force_login(learner)
    response = client.get(QUEUE)
    assert response.status_code == 403
    assert "for mentors" in response.text


def test_mentors_and_admins_see_three_tabs(client, mentor, admin_user):
    for person in (mentor, admin_user):
        client.force_login(person)
        response = client.get(QUEUE)
        assert response.status_code == 200
        text = response.text
        for label in ("Flags", "Needs a mentor", "Projects awaiting review"):
            assert label in text
        for tab in ("flags", "waiting", "projects"):
            assert f'href="/mod/?tab={tab}"' in text
        assert 'ws-connect="/ws/live/?topics=moderation,user:me"' in text
        assert "css/moderation.css" in text
        assert "No open flags." in text  # the flags tab by default, empty


def test_every_tab_has_an_empty_state(client, mentor):
    client.force_login(mentor)
    assert "Every question has a mentor" in client.get(QUEUE, {"tab": "waiting"}).text
    assert "No project is waiting" in client.get(QUEUE, {"tab": "projects"}).text
    assert "No open flags." in client.get(QUEUE, {"tab": "nonsense"}).text


def test_a_suspended_mentor_reads_the_queue_but_cannot_act(
    client, learner, mentor, admin_user, flaggers
):
    question = forum.question(learner)
    flag(question, flaggers[0])
    services.user_suspend(
        actor=admin_user,
        user=mentor,
        until=timezone.now() + timedelta(days=1),
        reason="Cooling off.",
    )
    client.force_login(mentor)
    for tab in ("flags", "waiting"):
        text = client.get(QUEUE, {"tab": tab}).text
        assert question.title in text
        assert "Take it" not in text and "/resolve" not in text
    assert selectors.open_cases(viewer=learner).items == []


def test_the_nav_shows_the_queue_to_mentors_only(client, learner, mentor):
    client.force_login(learner)
    assert 'href="/mod/"' not in client.get("/").text
    client.force_login(mentor)
    assert 'href="/mod/"' in client.get("/").text


def test_queue_pages_keep_to_the_content_security_policy(client, mentor, learner, flaggers):
    question = forum.question(learner)
    flag(question, flaggers[0])
    client.force_login(mentor)
    for url in (QUEUE, f"{QUEUE}?tab=waiting", f"{QUEUE}?tab=projects"):
        html = client.get(url).text
        assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)


# --- The flags tab -----------------------------------------------------------------------------


def test_flags_are_grouped_per_post_with_counts_and_reasons(
    client, learner, other_learner, mentor, flaggers
):
    question = forum.question(learner, title="How do I test a Celery chord end to end?")
    answer = forum.answer(other_learner, question, body="Buy my course at spam.example")
    flag(answer, flaggers[0], flaggers[1])
    flag(answer, flaggers[2], reason="abusive")
    flag(question, flaggers[3], reason="other", detail="Asked twice today")

    client.force_login(mentor)
    text = client.get(QUEUE).text
    assert text.count('<li class="queue-item') == 2  # two posts, four flags
    answer_case = Case.objects.get(kind="answer")
    answer_row = row(text, f"case-{answer_case.pk}")
    assert "3 flags" in answer_row and f"Spam {TIMES} 2" in answer_row
    assert f"Abusive or rude {TIMES} 1" in answer_row
    assert "Hidden by flags" in answer_row
    assert f"Answer on “{question.title}”" in answer_row
    assert answer.get_absolute_url() in answer_row
    assert "Flagger 0" in answer_row  # who flagged
    question_case = Case.objects.get(kind="question")
    question_row = row(text, f"case-{question_case.pk}")
    assert "Hidden by flags" not in question_row
    assert "1 flag" in question_row and f"Something else {TIMES} 1" in question_row
    assert "Asked twice today" in question_row
    # Most flagged first.
    assert position(text, f'id="case-{answer_case.pk}"') < position(
        text, f'id="case-{question_case.pk}"'
    )
    assert '<span class="queue-tabs__count" id="queue-count-flags">2</span>' in text


def test_a_duplicate_flag_links_to_the_original_question(client, learner, mentor, flaggers):
    original = forum.question(learner, title="How do Celery retries back off?")
    question = forum.question(learner, title="Celery retry delays?")
    # Pasted from another server's address: the link is built from the question, not it.
    pasted = f"http://127.0.0.1:9999/q/{original.pk}/old-slug/"
    flag(question, flaggers[0], reason="duplicate", detail=pasted)
    client.force_login(mentor)
    question_row = row(client.get(QUEUE).text, f"case-{Case.objects.get().pk}")
    assert f'<a href="{original.get_absolute_url()}">{original.title}</a>' in question_row
    assert "127.0.0.1:9999" not in question_row


def test_flagged_comments_and_projects_link_to_their_page(
    client, learner, other_learner, mentor, flaggers
):
    question = forum.question(learner)
    comment = forum.comment(other_learner, question=question, body="Rude words here")
    project = showcase.project(learner, title="Spammy project of links")
    flag(comment, flaggers[0], reason="abusive")
    flag(project, flaggers[1])
    client.force_login(mentor)
    text = client.get(QUEUE).text
    assert f"{question.get_absolute_url()}#comment-{comment.pk}" in text
    assert project.get_absolute_url() in text and "Spammy project of links" in text


def test_a_claim_refuses_a_second_mentor_through_both_doors(
    client, learner, mentor, other_mentor, flaggers
):
    question = forum.question(learner)
    case = flag(question, flaggers[0])

    client.force_login(mentor)
    response = client.post(f"/mod/case/{case.pk}/claim", follow=True)
    assert response.redirect_chain[-1][0] == "/mod/?tab=flags"
    assert "You have taken it" in response.text
    case.refresh_from_db()
    assert case.claimed_by == mentor

    client.force_login(other_mentor)
    page = client.get(QUEUE).text
    claimed_row = row(page, f"case-{case.pk}")
    assert "Mia Mentor has taken it" in claimed_row
    assert "/resolve" not in claimed_row and "/claim" not in claimed_row  # nothing to press

    refused = client.post(
        f"/mod/case/{case.pk}/claim", HTTP_REFERER="http://testserver/mod/?tab=flags"
    )
    assert refused.status_code == 302 and refused["Location"] == "http://testserver/mod/?tab=flags"
    assert "Mia Mentor has taken this one." in client.get(QUEUE).text

    refused = client.post(f"/mod/case/{case.pk}/claim", **HTMX)
    assert refused.status_code == 403
    assert toast(refused) == "Mia Mentor has taken this one."
    refused = client.post(f"/mod/case/{case.pk}/resolve", {"decision": "dismiss"}, **HTMX)
    assert refused.status_code == 403 and "has taken this one" in toast(refused)
    case.refresh_from_db()
    assert case.claimed_by == mentor and case.state == Case.State.OPEN


def test_claim_and_release_over_htmx_return_the_row(client, learner, mentor, flaggers):
    question = forum.question(learner)
    case = flag(question, flaggers[0], flaggers[1])
    client.force_login(mentor)

    claimed = client.post(f"/mod/case/{case.pk}/claim", **HTMX)
    assert claimed.status_code == 200
    assert claimed.text.strip().startswith(f'<li class="queue-item is-claimed" id="case-{case.pk}"')
    assert "You have taken it" in claimed.text and "Hand it back" in claimed.text
    assert "2 flags" in claimed.text and "<html" not in claimed.text

    released = client.post(f"/mod/case/{case.pk}/release", **HTMX)
    assert released.status_code == 200
    assert "Take it" in released.text and "You have taken it" not in released.text
    case.refresh_from_db()
    assert case.claimed_by is None

    refused = client.post(f"/mod/case/{case.pk}/release", **HTMX)
    assert refused.status_code == 403 and toast(refused) == "You have not taken this one."


def test_learners_cannot_claim_or_resolve(client, learner, other_learner, flaggers):
    question = forum.question(learner)
    case = flag(question, flaggers[0])
    client.force_login(other_learner)
    refused = client.post(f"/mod/case/{case.pk}/claim", **HTMX)
    assert refused.status_code == 403 and toast(refused) == "Only mentors can do that."
    refused = client.post(f"/mod/case/{case.pk}/resolve", {"decision": "agree"}, **HTMX)
    assert refused.status_code == 403
    case.refresh_from_db()
    assert case.state == Case.State.OPEN and case.claimed_by is None
    assert client.post("/mod/case/999999/claim").status_code == 404


def test_dismissing_flags_brings_a_hidden_post_back(
    client, learner, other_learner, mentor, flaggers
):
    question = forum.question(learner)
    answer = forum.answer(other_learner, question, body="Use `select_related` here.")
    case = flag(answer, *flaggers[:3])
    answer.refresh_from_db()
    assert answer.hidden_at is not None  # three distinct people hid it
    reader = flaggers[3]
    client.force_login(reader)
    assert (
        "Use <code>select_related</code> here." not in client.get(question.get_absolute_url()).text
    )

    client.force_login(mentor)
    response = client.post(
        f"/mod/case/{case.pk}/resolve",
        {"decision": "dismiss", "note": "A fair answer."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/mod/?tab=flags"
    assert "Flags dismissed: the post is visible again." in response.text
    assert "No open flags." in response.text
    answer.refresh_from_db()
    case.refresh_from_db()
    assert answer.hidden_at is None and case.state == Case.State.DISMISSED
    entry = LogEntry.objects.get(action=Action.FLAGS_DISMISSED)
    assert entry.actor == mentor and entry.reason == "A fair answer."

    client.force_login(reader)
    assert "Use <code>select_related</code> here." in client.get(question.get_absolute_url()).text


def test_agreeing_over_htmx_keeps_the_post_hidden_and_updates_the_counts(
    client, learner, other_learner, mentor, flaggers
):
    question = forum.question(learner)
    answer = forum.answer(other_learner, question)
    case = flag(answer, *flaggers[:3])
    client.force_login(mentor)
    response = client.post(
        f"/mod/case/{case.pk}/resolve",
        {"decision": "agree"},
        HTTP_HX_CURRENT_URL="http://testserver/mod/?tab=flags",
        **HTMX,
    )
    assert response.status_code == 200
    text = response.text
    assert f'id="case-{case.pk}"' in text and "the post stays hidden" in text
    assert 'id="queue-tabs" aria-label="Queue tabs" hx-swap-oob="true"' in text
    assert '<span class="queue-tabs__count" id="queue-count-flags">0</span>' in text
    answer.refresh_from_db()
    case.refresh_from_db()
    assert answer.hidden_at is not None and case.state == Case.State.AGREED

    refused = client.post(f"/mod/case/{case.pk}/resolve", {"decision": "agree"}, **HTMX)
    assert refused.status_code == 403 and toast(refused) == "These flags are already resolved."


def test_resolve_explains_bad_input(client, learner, mentor, flaggers):
    question = forum.question(learner)
    case = flag(question, flaggers[0])
    client.force_login(mentor)
    response = client.post(f"/mod/case/{case.pk}/resolve", {"decision": "maybe"}, follow=True)
    assert response.status_code == 200 and "Choose Agree or Dismiss." in response.text
    response = client.post(
        f"/mod/case/{case.pk}/resolve", {"decision": "agree", "note": "x" * 600}, **HTMX
    )
    assert response.status_code == 400 and "at most 500 characters" in toast(response)
    response = client.post(f"/mod/case/{case.pk}/resolve", **HTMX)
    assert response.status_code == 400 and toast(response) == "Choose Agree or Dismiss."
    case.refresh_from_db()
    assert case.state == Case.State.OPEN
    assert client.get(f"/mod/case/{case.pk}/resolve").status_code == 405


# --- The needs-a-mentor tab ----------------------------------------------------------------------


def _aged(question: Question, **ago: timedelta) -> None:
    now = timezone.now()
    Question.objects.filter(pk=question.pk).update(
        **{field: now - delta for field, delta in ago.items()}
    )


def test_waiting_tab_puts_requests_first_then_the_oldest(client, learner, other_learner, mentor):
    oldest = forum.question(learner, title="The oldest question nobody answered yet")
    newer = forum.question(other_learner, title="A newer question nobody answered yet")
    called = forum.question(learner, title="The newest question, whose asker called")
    early_call = forum.question(other_learner, title="An earlier call for a mentor here")
    answered = forum.question(learner, title="A question a mentor already answered")
    forum.answer(mentor, answered)
    _aged(oldest, created_at=timedelta(days=3))
    _aged(newer, created_at=timedelta(days=1))
    _aged(called, created_at=timedelta(hours=2))
    _aged(early_call, created_at=timedelta(hours=5))
    services.mentor_request(user=learner, question=Question.objects.get(pk=called.pk))
    services.mentor_request(user=other_learner, question=Question.objects.get(pk=early_call.pk))
    _aged(early_call, mentor_requested_at=timedelta(hours=3))

    client.force_login(mentor)
    text = client.get(QUEUE, {"tab": "waiting"}).text
    order = [position(text, q.title) for q in (early_call, called, oldest, newer)]
    assert order == sorted(order)
    assert answered.title not in text
    assert "Asked for a mentor" in text
    assert "waiting 3\xa0days" in text  # how long it has waited
    assert '<span class="queue-tabs__count" id="queue-count-waiting">4</span>' in text
    rows = selectors.waiting_questions(viewer=mentor).items
    assert [q.pk for q in rows] == [early_call.pk, called.pk, oldest.pk, newer.pk]


def test_waiting_tab_leaves_out_what_no_mentor_should_answer(client, learner, mentor):
    shown = forum.question(learner, title="A plain question that waits for a mentor")
    hidden = forum.question(learner, title="A question a mentor hid from learners")
    locked = forum.question(learner, title="A question a mentor locked for good")
    deleted = forum.question(learner, title="A question its author deleted again")
    services.content_hide(actor=mentor, target=hidden, reason="An advert.")
    services.question_lock(actor=mentor, question=locked, reason="Settled.")
    Question.objects.filter(pk=deleted.pk).update(is_deleted=True)
    client.force_login(mentor)
    text = client.get(QUEUE, {"tab": "waiting"}).text
    assert shown.title in text
    for question in (hidden, locked, deleted):
        assert question.title not in text
    assert selectors.waiting_count() == 1


def test_waiting_claims_through_both_doors(client, learner, mentor, other_mentor):
    question = forum.question(learner, title="Why does my Docker build not cache pip?")
    client.force_login(mentor)
    response = client.post(f"/mod/waiting/{question.pk}/claim", follow=True)
    assert response.redirect_chain[-1][0] == "/mod/?tab=waiting"
    assert "You have taken it" in response.text
    assert QuestionClaim.objects.get(question=question).mentor == mentor

    client.force_login(other_mentor)
    page = client.get(QUEUE, {"tab": "waiting"}).text
    assert "Mia Mentor has taken it" in page
    refused = client.post(f"/mod/waiting/{question.pk}/claim", **HTMX)
    assert refused.status_code == 403 and toast(refused) == "Mia Mentor has taken this one."
    refused = client.post(
        f"/mod/waiting/{question.pk}/release", HTTP_REFERER="http://testserver/mod/?tab=waiting"
    )
    assert refused.status_code == 302
    assert "You have not taken this one." in client.get(QUEUE, {"tab": "waiting"}).text

    client.force_login(mentor)
    released = client.post(f"/mod/waiting/{question.pk}/release", **HTMX)
    assert released.status_code == 200 and f'id="waiting-{question.pk}"' in released.text
    assert "Take it" in released.text
    assert not QuestionClaim.objects.exists()
    claimed = client.post(f"/mod/waiting/{question.pk}/claim", **HTMX)
    assert "You have taken it" in claimed.text and "Hand it back" in claimed.text
    assert client.post("/mod/waiting/999999/claim").status_code == 404


def test_waiting_tab_is_capped_with_a_count(client, learner, mentor, monkeypatch):
    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 3)
    for _ in range(5):
        forum.question(learner)
    page = selectors.waiting_questions(viewer=mentor, limit=3)
    assert len(page.items) == 3 and page.total == 5 and page.more == 2
    assert selectors.waiting_questions(viewer=learner).items == []


# --- The projects tab ---------------------------------------------------------------------------


def test_projects_tab_lists_projects_awaiting_review(client, learner, other_learner, mentor):
    waiting = showcase.requested(learner, title="Bookshelf API waiting for review")
    taken = showcase.requested(other_learner, title="Gym tracker being reviewed")
    project_services.review_claim(mentor=mentor, project=taken)
    client.force_login(mentor)
    text = client.get(QUEUE, {"tab": "projects"}).text
    assert waiting.get_absolute_url() in text and taken.get_absolute_url() in text
    assert "You are reviewing it" in text and "Open to claim" in text
    assert '<span class="queue-tabs__count" id="queue-count-projects">2</span>' in text


# --- Response times ---------------------------------------------------------------------------


def test_median_response_times_per_mentor_and_category(client, learner, mentor, other_mentor):
    django = forum.category("django", "Django")
    python = forum.category("python", "Python")
    now = timezone.now()

    def asked(cat, *, hours_ago, responder=None, after=None):
        question = forum.question(learner, cat=cat)
        changes = {"created_at": now - timedelta(hours=hours_ago)}
        if responder is not None:
            changes["first_mentor_response_at"] = changes["created_at"] + after
            changes["first_mentor_responder"] = responder
        Question.objects.filter(pk=question.pk).update(**changes)

    # Mia: 1 h, 2 h, 3 h (median 2 h); Max: 30 min, 90 min (median 1 h).
    asked(django, hours_ago=50, responder=mentor, after=timedelta(hours=1))
    asked(python, hours_ago=40, responder=mentor, after=timedelta(hours=3))
    asked(python, hours_ago=30, responder=mentor, after=timedelta(hours=2))
    asked(django, hours_ago=20, responder=other_mentor, after=timedelta(minutes=30))
    asked(python, hours_ago=10, responder=other_mentor, after=timedelta(minutes=90))
    asked(python, hours_ago=5)  # still waiting
    asked(django, hours_ago=24 * 40, responder=mentor, after=timedelta(days=9))  # outside

    figures = selectors.response_times(days=30)
    by_mentor = {f.label: (f.median, f.count) for f in figures.by_mentor}
    assert by_mentor == {
        "Mia Mentor": (timedelta(hours=2), 3),
        "Max Mentor": (timedelta(hours=1), 2),
    }
    by_category = {f.label: (f.median, f.count, f.waiting) for f in figures.by_category}
    assert by_category == {
        "Django": (timedelta(minutes=45), 2, 0),
        "Python": (timedelta(hours=2), 3, 1),
    }
    assert [f.label for f in figures.by_category] == ["Python", "Django"]  # slowest first
    assert figures.overall.median == timedelta(hours=1, minutes=30)
    assert figures.overall.count == 5 and figures.overall.waiting == 1

    client.force_login(mentor)
    text = client.get(QUEUE).text
    assert "Time to a first mentor response" in text
    assert '<th scope="row">Mia Mentor</th><td>2\xa0h</td><td>3</td>' in text
    assert '<th scope="row">Django</th><td>45\xa0min</td><td>2</td><td>0</td>' in text
    assert "<strong>1\xa0h\xa030\xa0min</strong>" in text  # never wraps mid-duration
    # The figures say "Topic", as the question list does.
    assert "Per topic" in text and '<th scope="col">Topic</th>' in text
    assert "Category" not in text and "Per category" not in text


def test_durations_read_at_a_glance():
    # Non-breaking spaces: a narrow column shows "17 h 52 min" on one line.
    def human(value):
        return selectors.duration_human(value).replace("\xa0", " ")

    assert human(None) == "—"
    assert human(timedelta(seconds=20)) == "under a minute"
    assert human(timedelta(minutes=12)) == "12 min"
    assert human(timedelta(hours=2)) == "2 h"
    assert human(timedelta(hours=17, minutes=52)) == "17 h 52 min"
    assert human(timedelta(hours=26, minutes=5)) == "1 d 2 h"
    assert human(timedelta(days=3)) == "3 d"
    assert " " not in selectors.duration_human(timedelta(hours=17, minutes=52))


def test_response_times_with_nothing_to_measure(client, mentor):
    figures = selectors.response_times()
    assert figures.by_mentor == [] and figures.by_category == []
    assert figures.overall.median is None
    client.force_login(mentor)
    text = client.get(QUEUE).text
    assert "No mentor has responded to a question in this window." in text
    assert "No questions asked in this window." in text


# --- Query counts -------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_each_tab_runs_the_same_queries_however_long_it_is(
    client, learner, other_learner, mentor, other_mentor, flaggers
):
    def flagged_thread():
        question = forum.question(learner)
        answer = forum.answer(other_learner, question)
        comment = forum.comment(other_learner, question=question)
        flag(question, flaggers[0])
        flag(answer, *flaggers[:3], reason="abusive")
        flag(comment, flaggers[1], reason="off_topic")
        project = showcase.requested(learner)
        flag(project, flaggers[2])
        return question

    first = flagged_thread()
    services.case_claim(mentor=other_mentor, case=flag(first))
    services.question_claim(mentor=other_mentor, question=first)
    client.force_login(mentor)
    urls = [QUEUE, f"{QUEUE}?tab=waiting", f"{QUEUE}?tab=projects"]
    small = [_queries(client, url) for url in urls]

    for _ in range(4):
        question = flagged_thread()
        services.question_claim(mentor=other_mentor, question=question)
        services.case_claim(mentor=mentor, case=flag(question))
    assert Case.objects.filter(state="open").count() == 20
    assert [_queries(client, url) for url in urls] == small


# --- Live --------------------------------------------------------------------------------------


def test_catch_up_sends_the_mentor_their_tab_out_of_band(client, learner, mentor, flaggers):
    question = forum.question(learner, title="What does select_for_update lock exactly?")
    flag(question, flaggers[0], reason="duplicate", detail=f"/q/{forum.question(learner).pk}/")
    client.force_login(mentor)

    response = client.get(
        "/live/catch-up",
        {"topics": "moderation"},
        HTTP_HX_CURRENT_URL="http://testserver/mod/?tab=flags",
        **HTMX,
    )
    text = response.text
    assert 'id="queue-tabs" aria-label="Queue tabs" hx-swap-oob="true"' in text
    assert 'id="queue-flags" aria-labelledby="queue-flags-title" hx-swap-oob="true"' in text
    assert question.title in text and f"Duplicate {TIMES} 1" in text
    assert 'id="queue-waiting"' not in text

    response = client.get(
        "/live/catch-up",
        {"topics": "moderation"},
        HTTP_HX_CURRENT_URL="http://testserver/mod/?tab=waiting",
        **HTMX,
    )
    assert 'id="queue-waiting" aria-labelledby="queue-waiting-title" hx-swap-oob="true"' in (
        response.text
    )
    assert question.title in response.text and 'id="queue-flags"' not in response.text


def test_catch_up_sends_nothing_of_the_queue_to_learners(client, learner, flaggers):
    question = forum.question(learner, title="A question flagged once for spam")
    flag(question, flaggers[0])
    client.force_login(flaggers[1])
    response = client.get("/live/catch-up", {"topics": "moderation"})
    assert response.status_code == 200
    assert "queue-" not in response.text and question.title not in response.text


def test_queue_changes_publish_a_stale_hint(
    client, learner, mentor, flaggers, django_capture_on_commit_callbacks, monkeypatch
):
    from hub import live

    sent = []
    monkeypatch.setattr(live, "publish", lambda topic, html, event=None: sent.append((topic, html)))
    question = forum.question(learner)
    case = flag(question, flaggers[0])
    client.force_login(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/mod/case/{case.pk}/claim", **HTMX)
    assert any(topic == "moderation" and 'id="live-stale"' in html for topic, html in sent)


def test_a_long_waiting_list_is_counted_up_to_a_cap(client, mentor, learner, monkeypatch):
    monkeypatch.setattr(selectors, "WAITING_COUNT_CAP", 2)
    for n in range(3):
        forum.question(learner, title=f"Waiting question number {n} about Django forms")
    assert selectors.waiting_count() == 2
    client.force_login(mentor)
    page = client.get("/mod/").content.decode()
    assert 'id="queue-count-waiting">2+<' in page


@pytest.mark.cached
def test_the_queue_computes_its_response_times_once_every_few_minutes(
    client, learner, mentor, monkeypatch
):
    """The 30-day figures may be minutes old (issue 16): the queue's loads within
    FIGURES_SECONDS compute them once."""
    computed = []
    real = selectors.response_times
    monkeypatch.setattr(selectors, "response_times", lambda **kw: computed.append(1) or real(**kw))
    client.force_login(mentor)
    assert client.get(QUEUE).status_code == 200
    assert client.get(QUEUE).status_code == 200
    assert len(computed) == 1
    assert "Time to a first mentor response" in client.get(QUEUE).text
    assert len(computed) == 1
