"""The guide in a real browser: a question's accepted answer becomes a guide section, a
second learner asking the same thing is offered it, and a learner's proposed edit is
accepted by the mentor."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from guides.models import EditProposal, Section
from guides.tests import factories as guide_factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"
TIMEOUT = 60_000  # the machine is shared and loaded: wait for what a person sees


def _page(browser: Browser):
    page = browser.new_context().new_page()
    page.set_default_timeout(TIMEOUT)
    page.set_default_navigation_timeout(TIMEOUT)
    return page


def test_answer_to_guide_offered_to_the_next_asker_and_an_edit_proposed(
    browser: Browser, live_server, log_in, learner, other_learner, mentor
):
    guide_factories.guide(slug="django", name="Django")
    asker = log_in(_page(browser), learner)
    helper = log_in(_page(browser), mentor)

    # A learner asks.
    asker.get_by_role("link", name="Ask a question").first.click()
    asker.get_by_label("Title").fill("Why do my Celery tasks run twice after a deploy?")
    asker.get_by_label("Topic").select_option(label="Django")
    asker.get_by_label("Your question").fill("Each deploy, some emails go out twice.")
    asker.get_by_role("button", name="Post your question").click()
    expect(asker.get_by_role("heading", name="Why do my Celery tasks run twice")).to_be_visible()
    question_url = asker.url

    # The mentor answers and accepts it.
    helper.goto(question_url)
    helper.get_by_label("Your answer").fill(
        "With `acks_late` a killed worker's task is delivered again: make the task "
        "idempotent (lock the row, check a sent-marker)."
    )
    helper.get_by_role("button", name="Post your answer").click()
    answer = helper.locator("#answers article", has_text="acks_late")
    expect(answer).to_be_visible()
    answer.get_by_role("button", name="Accept").click()
    expect(helper.locator("#answers article").first).to_contain_text("Accepted answer")

    # ... and adds it to the guide, editing it first.
    helper.reload()
    helper.get_by_role("link", name="Add to the guide").click()
    helper.get_by_label("New section's title").fill("Tasks that run twice")
    helper.get_by_label("Text for the guide (edit before publishing)").fill(
        "A broker delivers at least once. Make every task **idempotent**:\n\n"
        "```python\nif row.emailed_at:\n    return\n```"
    )
    helper.get_by_role("button", name="Publish to the guide").click()
    section_heading = helper.get_by_role("heading", name="Tasks that run twice")
    expect(section_heading).to_be_visible()
    expect(helper.locator(".guide-section__led")).to_contain_text("Why do my Celery tasks")
    helper.goto(question_url)
    expect(helper.locator("#answers")).to_contain_text(
        "This answer is part of the guide: Tasks that run twice"
    )

    # A second learner typing a similar title is offered the section.
    second = log_in(_page(browser), other_learner)
    second.get_by_role("link", name="Ask a question").first.click()
    second.get_by_label("Title").press_sequentially("Why do my tasks run twice?", delay=20)
    offer = second.locator("#similar")
    expect(offer).to_contain_text("The guide may already answer it", timeout=TIMEOUT)
    expect(offer.get_by_role("link", name="Tasks that run twice")).to_be_visible()

    # They propose an edit instead of asking.
    section = Section.objects.get(title="Tasks that run twice")
    second.goto(f"{live_server.url}{section.guide.get_absolute_url()}#{section.anchor}")
    second.locator(f"#{section.anchor}").get_by_role("link", name="Propose an edit").click()
    body = second.get_by_label("Text (Markdown)")
    body.fill(body.input_value() + "\n\nAlso set `reject_on_worker_lost` deliberately.")
    second.get_by_label("What you changed and why").fill("Name the other setting that matters")
    second.get_by_role("button", name="Propose the edit").click()
    expect(second.locator("#proposal-state")).to_have_text("Waiting for a mentor")

    # The mentor finds it in the queue, reads the diff and accepts it.
    helper.goto(f"{live_server.url}/mod/?tab=guide")
    helper.get_by_role("link", name="Read the diff").click()
    expect(helper.locator(".diff")).to_contain_text("reject_on_worker_lost")
    helper.get_by_role("button", name="Accept and publish").click()
    expect(helper.locator(f"#{section.anchor}")).to_contain_text("reject_on_worker_lost")
    assert EditProposal.objects.get().state == "accepted"
    second.goto(f"{live_server.url}{section.guide.get_absolute_url()}")
    expect(second.locator(f"#{section.anchor}")).to_contain_text("reject_on_worker_lost")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    second.screenshot(path=str(ARTIFACTS / "guide-after-proposal.png"), full_page=True)
