"""A newcomer's first visit, in headless Chromium: home, sign up, log in, profile."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"
PASSWORD = "a-long-and-unusual-passphrase-42"


def test_sign_up_log_in_and_see_the_profile(page: Page, live_server):
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )

    page.goto(live_server.url)
    expect(page).to_have_title(re.compile("Nexus"))
    expect(page.get_by_role("banner")).to_be_visible()

    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Email").fill("journey@example.com")
    page.get_by_label("Handle").fill("journey-jo")
    page.get_by_label("Display name").fill("Jo Journey")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    if settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory":
        expect(page.get_by_role("heading", name=re.compile("Verify", re.I))).to_be_visible()
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body)[0]
        page.goto(link)
        page.get_by_role("button", name="Confirm").click()

    # Signed in after sign-up (and verification): log out, then log in again.
    page.get_by_text("Jo Journey").first.click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()

    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("journey@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_text("Jo Journey").first.click()
    page.get_by_role("banner").get_by_role("link", name="Your profile").click()
    expect(page).to_have_url(re.compile(r"/u/journey-jo/$"))
    expect(page.get_by_role("heading", name="Jo Journey")).to_be_visible()
    expect(page.locator("#main").get_by_text("@journey-jo").first).to_be_visible()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "accounts-profile.png"), full_page=True)
    assert csp_violations == []
