"""The thread's header follows live events: a mentor's answer takes it off "Unanswered ·
Needs a mentor", an accept marks it "Answered" in every open tab, a lock shows in the
header and closes the answer form, all without a reload."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from discussions.tests import factories as make

pytestmark = [pytest.mark.e2e]


def open_thread(page: Page, base: str, question) -> Page:
    page.goto(f"{base}{question.get_absolute_url()}")
    page.wait_for_selector("#live[data-socket=open]", state="attached", timeout=15_000)
    expect(page.locator("#live")).to_have_attribute(
        "data-caught-up", re.compile(r"^[1-9]"), timeout=15_000
    )
    return page


def test_the_header_follows_answer_accept_and_lock(
    browser: Browser, asgi_server, log_in_at, learner, mentor
):
    question = make.question(learner, title="Why does my migration lock the users table?")
    asker = open_thread(
        log_in_at(browser.new_context().new_page(), asgi_server, learner), asgi_server, question
    )
    helper = open_thread(
        log_in_at(browser.new_context().new_page(), asgi_server, mentor), asgi_server, question
    )
    asker.evaluate("window.__notReloaded = true")
    badges = asker.locator("#question-badges")
    expect(badges).to_contain_text("Unanswered")
    expect(badges).to_contain_text("Needs a mentor")

    helper.get_by_label("Your answer").fill("Add the index with `AddIndexConcurrently`.")
    helper.get_by_role("button", name="Post your answer").click()

    expect(asker.locator("#answer-list")).to_contain_text("AddIndexConcurrently", timeout=15_000)
    expect(badges).not_to_contain_text("Unanswered")
    expect(badges).not_to_contain_text("Needs a mentor")
    expect(badges).not_to_contain_text("Answered")

    asker.locator("#answer-list article").first.get_by_role("button", name="Accept").click()

    # The asker's own page and the mentor's tab, which learns it from the live hint.
    expect(badges).to_contain_text("Answered", timeout=15_000)
    expect(helper.locator("#question-badges")).to_contain_text("Answered", timeout=15_000)
    expect(helper.locator("#answer-list article.is-accepted")).to_contain_text("Accepted answer")

    helper.get_by_text("Moderate this question").click()
    helper.get_by_label("Reason (shown on the thread)").fill("Answered; please ask anew.")
    helper.get_by_role("button", name="Lock", exact=True).click()

    expect(badges).to_contain_text("Locked", timeout=15_000)
    expect(asker.locator("#question-notice")).to_contain_text("Locked by a mentor")
    expect(asker.locator("#answer-form")).not_to_contain_text("Post your answer")
    expect(asker.get_by_label("Your answer")).to_have_count(0)
    assert asker.evaluate("window.__notReloaded") is True
