"""Q&A and the guide, both ways: answers added to the guide, questions closed as answered
there, "Questions that led here", search and the ask page's suggestions, the queue."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from discussions import services as forum_services
from discussions.tests import factories as forum
from guides import selectors, services
from guides.models import LinkKind, RevisionKind, SectionQuestion
from guides.tests import factories
from moderation.models import Action, LogEntry
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(learner, other_learner, mentor):
    question = forum.question(learner, title="Why do my Celery tasks run twice after a deploy?")
    answer = forum.answer(
        other_learner, question, body="Make the task idempotent: `acks_late` redelivers."
    )
    forum_services.answer_accept(actor=learner, answer=answer)
    answer.refresh_from_db()
    return question, answer


def test_a_mentor_adds_an_accepted_answer_as_a_new_section(mentor, thread, other_learner):
    question, answer = thread
    guide = factories.guide(slug="async-tasks", name="Async tasks")
    section = services.answer_promote(
        mentor=mentor,
        answer=answer,
        guide=guide,
        title="Tasks that run twice",
        body="Edited: make every task **idempotent**.",
    )
    assert section.guide == guide and section.title == "Tasks that run twice"
    revision = section.revisions.get()
    assert revision.kind == RevisionKind.PROMOTED and revision.credited == other_learner
    link = SectionQuestion.objects.get()
    assert (link.question, link.answer, link.kind) == (question, answer, LinkKind.PROMOTED)
    note = Notification.objects.get(recipient=other_learner, kind=Kind.GUIDE)
    assert "now part of the guide" in note.target_title


def test_appending_to_an_existing_section_keeps_its_words(mentor, thread):
    _, answer = thread
    section = factories.section(mentor, body="What we knew.\n")
    services.answer_promote(mentor=mentor, answer=answer, section=section, body="What we learned.")
    section.refresh_from_db()
    assert section.body == "What we knew.\n\nWhat we learned.\n"
    with pytest.raises(ValidationError):
        services.answer_promote(mentor=mentor, answer=answer, section=section, body="Again")


def test_only_mentors_and_only_accepted_answers(mentor, learner, thread, other_learner):
    question, answer = thread
    guide = factories.guide()
    with pytest.raises(PermissionDenied):
        services.answer_promote(mentor=learner, answer=answer, guide=guide, body="x")
    other = forum.answer(mentor, question, body="Another view.")
    with pytest.raises(PermissionDenied):
        services.answer_promote(mentor=mentor, answer=other, guide=guide, body="x")
    assert not SectionQuestion.objects.exists()


def test_provenance_both_ways_on_the_pages(client, mentor, thread):
    question, answer = thread
    section = factories.section(mentor, title="Idempotent tasks")
    services.answer_promote(mentor=mentor, answer=answer, section=section, body="More.")
    page = client.get(question.get_absolute_url()).text
    assert "This answer is part of the guide" in page
    assert f'href="{section.get_absolute_url()}"' in page
    article = client.get(section.guide.get_absolute_url()).text
    assert "Questions that led here" in article and question.title in article
    client.force_login(mentor)
    assert "Add to the guide" in client.get(question.get_absolute_url()).text


def test_promote_page_edits_before_publishing(client, mentor, thread):
    _, answer = thread
    guide = factories.guide()
    client.force_login(mentor)
    url = reverse("guides:answer_promote", args=[answer.pk])
    page = client.get(url).text
    assert "Make the task idempotent" in page, "the answer's text to edit"
    response = client.post(
        url, {"target": f"g{guide.pk}", "title": "Twice-run tasks", "body": "Edited text."}
    )
    assert response.status_code == 302
    assert SectionQuestion.objects.get().section.body == "Edited text.\n"
    bad = client.post(url, {"target": "zz", "title": "x", "body": "y"})
    assert bad.status_code == 400 and "Choose a section" in bad.text


def test_close_as_answered_in_the_guide_is_logged_and_told(client, mentor, learner, thread):
    question, _ = thread
    section = factories.section(mentor, title="Idempotent tasks")
    services.question_close_in_guide(
        mentor=mentor, question=question, section=section, reason="Covered there."
    )
    entry = LogEntry.objects.get(action=Action.GUIDE_CLOSE)
    assert (entry.actor, entry.target_id, entry.reason) == (mentor, question.pk, "Covered there.")
    told = Notification.objects.get(recipient=learner, kind=Kind.MODERATION)
    assert "answered in the guide: Idempotent tasks" in told.target_title
    page = client.get(question.get_absolute_url()).text
    assert "Answered in the guide" in page and section.title in page
    with pytest.raises(PermissionDenied):
        services.question_close_in_guide(mentor=mentor, question=question, section=section)
    services.question_reopen_from_guide(mentor=mentor, question=question)
    assert LogEntry.objects.filter(action=Action.GUIDE_REOPEN).exists()
    assert "Answered in the guide" not in client.get(question.get_absolute_url()).text


def test_learners_cannot_close_in_the_guide(client, learner, mentor, thread):
    question, _ = thread
    section = factories.section(mentor)
    with pytest.raises(PermissionDenied):
        services.question_close_in_guide(mentor=learner, question=question, section=section)
    client.force_login(learner)
    client.post(reverse("guides:question_close", args=[question.pk]), {"section": section.pk})
    assert not SectionQuestion.objects.exists()
    assert "Close as answered in the guide" not in client.get(question.get_absolute_url()).text


def test_search_and_the_ask_page_offer_guide_sections(client, mentor, learner):
    factories.section(
        mentor,
        title="Retries and idempotent Celery tasks",
        body="With acks_late a worker that dies leaves the message to be delivered again.",
    )
    page = client.get(reverse("discussions:search"), {"q": "idempotent"}).text
    assert "Guide · Django" in page and "Retries and idempotent Celery tasks" in page
    page = client.get(reverse("discussions:search"), {"q": "delivered"}).text
    assert "Retries and idempotent Celery tasks" in page, "body words match too"
    if connection.vendor == "postgresql":
        assert "<mark>delivered</mark>" in page, "highlighted like questions"
    client.force_login(learner)
    similar = client.get(
        reverse("discussions:question_similar"), {"title": "Celery tasks are not idempotent"}
    ).text
    assert "The guide may already answer it" in similar
    assert "Retries and idempotent Celery tasks" in similar


def test_the_queue_has_the_guide_tab(client, mentor, learner, monkeypatch):
    section = factories.section(mentor, title="Stale section")
    proposal = services.proposal_create(
        proposer=learner, section=section, title=section.title, body="Better.", note="Typo"
    )
    services.helpful_vote(user=learner, section=section, helpful=False, note="No example")
    later = timezone.now() + timedelta(days=181)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    client.force_login(mentor)
    page = client.get("/mod/?tab=guide").text
    assert "Proposed edits" in page and proposal.get_absolute_url() in page
    assert "No example" in page
    assert "Due for review" in page and "Stale section" in page
    assert 'id="queue-count-guide">3' in page
    assert selectors.guide_queue_count() == 3


def test_thread_page_stays_constant_with_guide_links(client, mentor, learner, other_learner):
    question = forum.question(learner, title="How should I structure Django services?")
    section = factories.section(mentor)
    client.force_login(mentor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(question.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    answer = forum.answer(other_learner, question, body="One function per write.")
    forum_services.answer_accept(actor=learner, answer=answer)
    services.answer_promote(mentor=mentor, answer=answer, section=section, body="x")
    few = queries()
    for n in range(6):
        forum.answer(UserFactory(), question, body=f"Another answer {n}.")
    assert queries() == few


def test_the_mentors_guide_tools_post_without_javascript(mentor, thread):
    """The close form on the thread page carries a real CSRF token: a browser without
    JavaScript (or HTMX's headers) posts it and the question closes."""
    import re

    from django.test import Client

    question, _ = thread
    section = factories.section(mentor, title="Idempotent tasks")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(mentor)
    page = browser.get(question.get_absolute_url()).text
    start = page.index('class="guide-tools__close"')
    form = page[start : page.index("</form>", start)]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "the close form has no CSRF token"
    response = browser.post(
        reverse("guides:question_close", args=[question.pk]),
        {"section": section.pk, "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert SectionQuestion.objects.filter(question=question, kind=LinkKind.ANSWERED).exists()


def test_answered_in_the_guide_still_takes_answers(client, mentor, thread):
    """Closing "answered in the guide" points at the section and is logged, but unlike a
    duplicate it refuses no answer (decision 0014): the page keeps its answer form and says
    so, the page's post, the service and the GraphQL door all take a new answer."""
    from discussions.models import Answer
    from discussions.permissions import answer_refusal, can_answer
    from hub.tests.gql import data, gid

    question, _ = thread
    section = factories.section(mentor, title="Idempotent tasks")
    services.question_close_in_guide(mentor=mentor, question=question, section=section)
    question.refresh_from_db()
    newcomer = UserFactory(handle="late-learner")
    assert can_answer(newcomer, question) and answer_refusal(question) == ""

    client.force_login(newcomer)
    page = client.get(question.get_absolute_url()).text
    assert "Answered in the guide" in page
    assert "New answers are still welcome" in page
    answer_url = reverse("discussions:answer_create", args=[question.pk])
    assert f'action="{answer_url}"' in page
    response = client.post(answer_url, {"body": "Also set `task_acks_late` per task."})
    assert response.status_code == 302
    assert Answer.objects.filter(question=question, author=newcomer).count() == 1
    response = client.post(answer_url, {"body": "And watch the visibility timeout."},
                           headers={"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 200
    assert Answer.objects.filter(question=question, author=newcomer).count() == 2

    other = UserFactory(handle="another-learner")
    forum_services.answer_create(author=other, question=question, body="Retries need it too.")
    client.force_login(other)
    query = """mutation($input: PostAnswerInput!) { postAnswer(input: $input) {
      errors { code } } }"""
    variables = {"input": {"questionId": gid("Question", question.pk), "body": "One more."}}
    assert data(client, query, variables)["postAnswer"]["errors"] == []
    thread_query = "query($id: ID!) { question(id: $id) { viewerCanAnswer } }"
    found = data(client, thread_query, {"id": gid("Question", question.pk)})["question"]
    assert found == {"viewerCanAnswer": True}
    assert Answer.objects.filter(question=question, author=other).count() == 2
    assert SectionQuestion.objects.filter(question=question, kind=LinkKind.ANSWERED).exists()
