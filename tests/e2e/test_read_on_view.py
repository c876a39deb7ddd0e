"""Opening the thing a notification is about reads it: the bell counts only the rest."""

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from discussions.tests import factories as make
from moderation.services import content as moderation
from notifications.models import Notification

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


def socket_open(page: Page) -> Page:
    """The page's socket is open and the catch-up its opening asks for has landed (else
    that catch-up, rendered before a write, could land after the write's live event)."""
    live = page.locator("#live")
    expect(live).to_have_attribute("data-socket", "open", timeout=15_000)
    expect(live).to_have_attribute("data-caught-up", re.compile(r"^[1-9]"), timeout=15_000)
    return page


def elsewhere(write, **kwargs):
    """Run a service as another person's request would: in a thread of its own (the
    browser's event loop in this one keeps a live event from being published here)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return write(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def read_soon(notification_filter: dict) -> Notification:
    """The row once a tab has read it (the tab's POST after the live event), or as it is
    after a generous wait."""
    deadline = time.monotonic() + 15
    while True:
        row = Notification.objects.filter(**notification_filter).first()
        if (row is not None and row.is_read) or time.monotonic() > deadline:
            return row
        time.sleep(0.1)


def test_news_about_the_thread_on_screen_is_read_as_it_arrives(
    browser: Browser, asgi_server, log_in_at, learner, other_learner, mentor
):
    """An answer arriving in the thread the asker is looking at shows in place: no toast,
    and the bell does not count it (in any of their tabs). Elsewhere it still toasts. A
    moderation notice about a post on screen keeps its toast (its reason is shown nowhere
    else) and is read all the same."""
    thread = make.question(learner, title="Why does my Celery beat schedule run twice?")
    context = browser.new_context()
    reader = socket_open(log_in_at(context.new_page(), asgi_server, learner))
    reader.goto(f"{asgi_server}{thread.get_absolute_url()}")
    socket_open(reader)
    other_tab = context.new_page()
    other_tab.goto(f"{asgi_server}/questions/")
    socket_open(other_tab)

    elsewhere(make.answer, author=other_learner, on=thread, body="Only one beat process may run.")

    expect(reader.locator("#answer-list")).to_contain_text("Only one beat process", timeout=15_000)
    # The other tab, elsewhere, hears of it (a toast) and then of its reading (the bell).
    expect(other_tab.locator("#toasts .toast", has_text="answered your question")).to_be_visible(
        timeout=15_000
    )
    row = read_soon({"recipient": learner, "kind": "answer_on_question"})
    assert row.is_read, "the answer's notification stayed unread on the thread's own tab"
    expect(reader.locator("#toasts .toast")).to_have_count(0)
    expect(reader.locator("#bell-count")).to_be_hidden(timeout=15_000)
    expect(other_tab.locator("#bell-count")).to_be_hidden(timeout=15_000)

    # A moderation notice about the learner's own answer, on screen.
    mine = make.answer(learner, make.question(other_learner, title="Is beat a worker?"))
    reader.goto(f"{asgi_server}{mine.question.get_absolute_url()}")
    socket_open(reader)
    elsewhere(moderation.content_hide, actor=mentor, target=mine, reason="Off topic here")
    notice = reader.locator("#toasts .toast", has_text="Off topic here")
    expect(notice).to_be_visible(timeout=15_000)
    row = read_soon({"recipient": learner, "kind": "moderation"})
    assert row.is_read, "the moderation notice stayed unread on the post's own page"
