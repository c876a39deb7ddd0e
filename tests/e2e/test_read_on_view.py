"""Opening the thing a notification is about reads it: the bell counts only the rest."""

import pytest
from playwright.sync_api import Browser, expect

from discussions.tests import factories as make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_opening_the_thread_clears_its_notifications_from_the_bell(
    browser: Browser, live_server, learner, other_learner, log_in
):
    thread = make.question(learner, title="Why does my Celery beat schedule run twice?")
    other = make.question(learner, title="How do I cache a DRF list view per user?")
    make.answer(other_learner, thread, body="Only one beat process may run.")
    make.answer(other_learner, other, body="Vary on the Authorization header.")
    page = log_in(browser.new_context().new_page(), learner)
    expect(page.locator("#bell-count")).to_have_text("2 unread")

    # Straight to the thread, not through the bell: its notification is read all the same.
    page.goto(f"{live_server.url}{thread.get_absolute_url()}")
    expect(page.locator("#bell-count")).to_have_text("1 unread")
    page.goto(f"{live_server.url}/notifications/?show=unread")
    unread = page.locator(".notification.is-unread")
    expect(unread).to_have_count(1)
    expect(unread).to_contain_text(other.title)
