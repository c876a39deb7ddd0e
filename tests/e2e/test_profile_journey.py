"""A profile's activity in a real browser: tabs work without JavaScript (plain links) and
with it (HTMX swaps the section and the address), at phone width without sideways scroll."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from accounts.tests.factories import UserFactory
from discussions import services
from discussions.tests import factories as make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path("test-results/e2e")


@pytest.mark.parametrize("javascript", [False, True])
def test_profile_tabs(browser: Browser, live_server, javascript):
    ada = UserFactory(handle="ada", display_name="Ada Asker")
    grace = UserFactory(handle="grace", display_name="Grace Helper")
    asked = make.question(ada, title="Why does my Celery task run twice after a restart?")
    answer = make.answer(grace, asked, body="Use `acks_late` and make the task idempotent.")
    services.answer_accept(actor=ada, answer=answer)

    context = browser.new_context(
        viewport={"width": 320, "height": 800}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/u/grace/")
    # Grace only answers: her profile opens on her answers, the accepted one marked.
    row = page.locator(".activity-row").first
    expect(row).to_contain_text("Accepted")
    expect(row.get_by_role("link", name=asked.title)).to_have_attribute(
        "href", re.compile(rf"#answer-{answer.pk}$")
    )
    expect(page.get_by_role("heading", name="Helps in")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Questions")).click()
    expect(page).to_have_url(re.compile(r"/u/grace/\?tab=questions$"))
    expect(page.get_by_text("Grace Helper has not asked anything yet.")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{width} px wide at 320"

    page.goto(f"{live_server.url}/u/ada/?tab=questions")
    expect(page.get_by_role("link", name=asked.title)).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"profile-320-js-{javascript}.png"), full_page=True)
    context.close()
