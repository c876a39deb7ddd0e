"""Two learners in two browsers: ask with code, answer, accept, up-vote in place."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from discussions import services
from discussions.models import Question
from discussions.tests import factories as make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"


def test_ask_answer_accept_and_vote(
    browser: Browser, live_server, log_in, learner, other_learner, mentor
):
    make.category("docker", "Docker")
    asker = log_in(browser.new_context().new_page(), learner)
    helper = log_in(browser.new_context().new_page(), other_learner)

    # A asks, with a code block.
    asker.get_by_role("link", name="Ask a question").first.click()
    asker.get_by_label("Title").fill("Why does my container exit with code 137?")
    asker.get_by_label("Topic").select_option(label="Docker")
    asker.get_by_label("Tags").fill("docker memory")
    asker.get_by_label("Your question").fill(
        "It dies after a minute:\n\n```yaml\nservices:\n  web:\n    mem_limit: 64m\n```"
    )
    asker.get_by_role("button", name="Post your question").click()
    expect(asker.get_by_role("heading", name="Why does my container exit")).to_be_visible()
    expect(asker.locator(".code-block")).to_contain_text("mem_limit: 64m")
    question_url = asker.url
    # An earlier, up-voted answer by someone else: it leads until B's is accepted.
    question = Question.objects.get()
    earlier = make.answer(mentor, question, body="Check `docker stats` first.")
    services.vote_toggle(user=learner, post=earlier)

    # B answers (an HTMX post: the answer appears without a reload).
    helper.goto(question_url)
    helper.get_by_label("Your answer").fill("137 is the OOM killer: raise `mem_limit`.")
    helper.get_by_role("button", name="Post your answer").click()
    expect(helper.locator("#answers")).to_contain_text("OOM killer")
    expect(helper.locator("#answers article").first).to_contain_text("docker stats")
    expect(helper.get_by_label("Your answer")).to_have_value("")

    # B up-votes the question in place: the score changes without a reload.
    helper.evaluate("window.__notReloaded = true")
    helper.locator("[id^=vote-question-]").get_by_role("button").click()
    expect(helper.locator("[id^=score-question-]")).to_have_text("1")
    assert helper.evaluate("window.__notReloaded") is True

    # A sees it, accepts it; it shows accepted, first.
    asker.reload()
    oom = asker.locator("#answers article", has_text="OOM killer")
    oom.get_by_role("button", name="Accept").click()
    first_answer = asker.locator("#answers article").first
    expect(first_answer).to_have_class(re.compile("is-accepted"))
    expect(first_answer).to_contain_text("OOM killer")
    expect(first_answer).to_contain_text("Accepted answer")

    helper.reload()
    expect(helper.locator("#answers article").first).to_contain_text("Accepted answer")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    asker.screenshot(path=str(ARTIFACTS / "discussions-accepted.png"), full_page=True)
