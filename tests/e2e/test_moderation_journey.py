"""Three learners flag an answer; it disappears for a fourth learner, live; a mentor opens
the queue, sees it and dismisses the flags; the answer is back on the fourth learner's
open page, live again."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from accounts.tests.factories import UserFactory
from discussions.tests import factories as make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"
ANSWER = "Buy cheap followers at spam.example"


@pytest.fixture
def thread(learner, other_learner):
    question = make.question(learner, title="How do I paginate a DRF list endpoint?")
    answer = make.answer(other_learner, question, body=ANSWER)
    return question, answer


def flag(page: Page, base: str, question, answer) -> None:
    page.goto(f"{base}{question.get_absolute_url()}")
    page.wait_for_function("window.htmx && document.readyState === 'complete'")
    post = page.locator(f"#answer-{answer.pk}")
    post.get_by_role("link", name="Flag").click()
    post.get_by_label("Spam").check()
    with page.expect_response(lambda r: r.request.method == "POST") as sent:
        post.get_by_role("button", name="Flag").click()
    assert sent.value.ok and "Flagged" in sent.value.text()


def test_flags_hide_an_answer_and_a_mentor_brings_it_back(
    browser: Browser, asgi_server, log_in_at, thread
):
    question, answer = thread
    reader = log_in_at(
        browser.new_context().new_page(), asgi_server, UserFactory(handle="fourth-learner")
    )
    reader.goto(f"{asgi_server}{question.get_absolute_url()}")
    expect(reader.get_by_text(ANSWER)).to_be_visible()
    reader.wait_for_function("document.querySelector('#live') && window.htmx")

    for handle in ("flagger-one", "flagger-two", "flagger-three"):
        context = browser.new_context()
        page = log_in_at(context.new_page(), asgi_server, UserFactory(handle=handle))
        flag(page, asgi_server, question, answer)
        context.close()

    # Hidden at once for everyone but mentors and its author: the open tab follows.
    expect(reader.get_by_text(ANSWER)).to_have_count(0, timeout=5000)
    reader.reload()
    expect(reader.get_by_text(ANSWER)).to_have_count(0)

    mentor = log_in_at(
        browser.new_context().new_page(),
        asgi_server,
        UserFactory(handle="the-mentor", role=Role.MENTOR),
    )
    mentor.goto(f"{asgi_server}/mod/")
    case = mentor.locator(".queue-item", has_text=question.title)
    expect(case).to_contain_text("Hidden by flags")
    expect(case).to_contain_text(re.compile("Spam", re.I))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    mentor.screenshot(path=str(ARTIFACTS / "moderation-queue.png"), full_page=True)
    case.get_by_role("button", name="Dismiss: show it again").click()
    expect(mentor.locator(".queue-item", has_text=question.title)).to_have_count(0)

    expect(reader.get_by_text(ANSWER)).to_be_visible(timeout=5000)
    reader.reload()
    expect(reader.get_by_text(ANSWER)).to_be_visible()


def test_a_mentor_inserts_a_saved_reply_into_an_answer(
    browser: Browser, live_server, log_in, thread, mentor
):
    question, _ = thread
    page = log_in(browser.new_context().new_page(), mentor)
    page.goto(f"{live_server.url}/mod/replies/")
    expect(page.get_by_text("No saved replies yet")).to_be_visible()
    page.get_by_label("Name").fill("Traceback please")
    page.get_by_role("textbox", name="Reply").fill("Could you paste the **full traceback**?")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Traceback please")).to_be_visible()

    page.goto(f"{live_server.url}{question.get_absolute_url()}")
    page.wait_for_function("window.htmx && document.readyState === 'complete'")
    form = page.locator("#answer-form")
    form.get_by_text("Saved replies (1)").click()
    form.get_by_role("button", name="Traceback please").click()
    expect(form.get_by_label("Your answer")).to_have_value(
        "Could you paste the **full traceback**?"
    )
    # The insert typed into the box: its preview (debounced) lands in the preview pane,
    # not over the thread (it once inherited the answer form's target).
    expect(form.locator(".md-preview")).to_contain_text("full traceback", timeout=15_000)
    expect(page.locator("#answer-list")).to_be_visible()
    form.get_by_role("button", name="Post your answer").click()
    expect(page.locator("#answer-list")).to_contain_text("Could you paste the full traceback?")
