"""On a touch screen the code block's Copy button shows without covering any code, and the
unread badge says "9+" past nine without hiding the bell."""

import pytest
from playwright.sync_api import Browser, expect

from discussions.tests import factories as forum
from notifications.models import Kind
from notifications.services import notify

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The first line box of the code, and the button, in page coordinates.
BOXES = """(block) => {
  const button = block.querySelector(".code-copy").getBoundingClientRect();
  const code = block.querySelector("code");
  const range = document.createRange();
  range.setStart(code.firstChild || code, 0);
  range.setEnd(code.firstChild || code, 1);
  const line = range.getBoundingClientRect();
  return {
    hoverNone: matchMedia("(hover: none)").matches,
    opacity: getComputedStyle(block.querySelector(".code-copy")).opacity,
    button: {top: button.top, bottom: button.bottom, left: button.left, right: button.right},
    line: {top: line.top, bottom: line.bottom},
  };
}"""


def test_copy_button_leaves_the_code_visible_on_a_touch_screen(
    browser: Browser, live_server, learner
):
    long_line = "celery -A hub worker --loglevel=info --concurrency=4 --queues=celery,email"
    question = forum.question(learner, body=f"I run:\n\n```sh\n{long_line}\n```\n\nand it hangs.")
    context = browser.new_context(
        viewport={"width": 390, "height": 800}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}{question.get_absolute_url()}")
    block = page.locator("#question-body .code-block").first
    expect(block).to_be_visible()
    found = block.evaluate(BOXES)
    assert found["hoverNone"], "the phone context should match (hover: none)"
    assert found["opacity"] == "1", "on a touch screen the button shows without hover"
    assert found["button"]["bottom"] <= found["line"]["top"], (
        f"the Copy button covers the first line of code: {found}"
    )
    context.close()


def test_unread_badge_says_nine_plus_and_keeps_the_bell_visible(
    browser: Browser, live_server, learner, other_learner, log_in, settings
):
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 100, "new": 100},
        "reply": {"hour": 100, "new": 100},
    }
    for n in range(15):
        question = forum.question(learner, title=f"How do I tune Celery worker {n} for email")
        notify(
            recipients=[learner],
            kind=Kind.ANSWER_ON_QUESTION,
            actor=other_learner,
            target_key=f"question:{question.pk}",
            target_title=question.title,
            url=question.get_absolute_url(),
        )
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = log_in(context.new_page(), learner)
    badge = page.locator("#bell-count")
    expect(badge).to_have_text("9+15 unread")  # "9+" shown, the real count for screen readers
    glyph = page.locator(".bell__trigger svg").bounding_box()
    shown = page.locator("#bell-count [aria-hidden]").bounding_box()
    box = badge.bounding_box()
    overlap_w = max(
        0, min(glyph["x"] + glyph["width"], box["x"] + box["width"]) - max(glyph["x"], box["x"])
    )
    overlap_h = max(
        0, min(glyph["y"] + glyph["height"], box["y"] + box["height"]) - max(glyph["y"], box["y"])
    )
    covered = overlap_w * overlap_h / (glyph["width"] * glyph["height"])
    assert covered < 0.2, f"the badge covers {covered:.0%} of the bell"
    assert shown["width"] < 24, f"the badge grew to {shown['width']:.0f} px"
    context.close()
