"""A learner shares a project asking for feedback; a mentor reviews it; the learner reads it."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"


def test_share_request_claim_review(browser: Browser, live_server, log_in, learner, mentor):
    author = log_in(browser.new_context().new_page(), learner)
    author.goto(f"{live_server.url}/projects/new/")
    author.get_by_label("Title").fill("Bookshelf: a DRF API for a small library")
    author.get_by_label("Pitch").fill("Lend books, track returns, with a clean REST API.")
    author.get_by_label("Repository URL").fill("https://github.com/lena/bookshelf")
    author.get_by_label("Live demo URL").fill("https://bookshelf.fly.dev")
    author.get_by_label("I'd like feedback").check()
    author.get_by_label("What feedback would help").fill("Is my data model right?")
    author.get_by_role("button", name="Publish").click()
    expect(author.get_by_role("heading", name=re.compile("Bookshelf"))).to_be_visible()
    expect(author.get_by_text("bookshelf.fly.dev")).to_be_visible()
    author.get_by_role("button", name="Ask a mentor for a review").click()
    expect(author.get_by_text("Review requested")).to_be_visible()

    reviewer = log_in(browser.new_context().new_page(), mentor)
    reviewer.goto(f"{live_server.url}/projects/awaiting-review/")
    reviewer.get_by_role("link", name=re.compile("Bookshelf")).click()
    reviewer.get_by_role("button", name="Claim this review").click()
    reviewer.get_by_label("Looks good").check()
    reviewer.get_by_label("What works").fill("Clear **serializers** and tests.")
    reviewer.get_by_label("Data model").fill("Add an index on `due_date`.")
    reviewer.get_by_role("button", name="Post review").click()
    expect(reviewer.locator("#reviews")).to_contain_text("Looks good")

    author.reload()
    reviews = author.locator("#reviews")
    expect(reviews).to_contain_text("Looks good")
    expect(reviews).to_contain_text("Clear serializers and tests.")
    expect(reviews).to_contain_text("Add an index on due_date.")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    author.screenshot(path=str(ARTIFACTS / "projects-reviewed.png"), full_page=True)
