"""Two browsers on one thread, live: answers appear without a reload, "writing an
answer…" shows while someone types, and a tab that was offline catches up."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from discussions.tests import factories as make

pytestmark = [pytest.mark.e2e]


def open_thread(page: Page, base: str, question) -> Page:
    page.goto(f"{base}{question.get_absolute_url()}")
    # The socket is open once the page has caught up (the first thing it does on open).
    page.wait_for_function("document.getElementById('live-at').dataset.at !== ''")
    expect(page.locator("#live")).to_have_attribute("data-socket", "open", timeout=15_000)
    return page


def post_answer(page: Page, text: str) -> None:
    box = page.get_by_label("Your answer")
    expect(box).to_be_editable()
    box.fill(text)
    page.get_by_role("button", name="Post your answer").click()
    expect(page.locator("#answer-list")).to_contain_text(text, timeout=10_000)
    expect(page.get_by_label("Your answer")).to_have_value("")


@pytest.fixture
def thread(learner):
    return make.question(learner, title="Why does my Celery task never start at all?")


def test_an_answer_appears_live_and_controls_fit_the_viewer(
    browser: Browser, asgi_server, log_in_at, learner, other_learner, thread
):
    asker = log_in_at(browser.new_context().new_page(), asgi_server, learner)
    helper = log_in_at(browser.new_context().new_page(), asgi_server, other_learner)
    open_thread(asker, asgi_server, thread)
    open_thread(helper, asgi_server, thread)
    asker.evaluate("window.__notReloaded = true")

    post_answer(helper, "Is the worker consuming the right queue?")

    answer = asker.locator("#answer-list article").first
    expect(answer).to_contain_text("right queue", timeout=2000)
    assert asker.evaluate("window.__notReloaded") is True
    # The asker may accept it and vote for it, but not edit it.
    expect(answer.get_by_role("button", name="Accept")).to_be_visible()
    expect(answer.get_by_role("button", name="Up-vote: this helped")).to_be_visible()
    expect(answer.get_by_role("link", name="Edit")).to_be_hidden()
    expect(asker.locator("#answers-title")).to_have_text("1 answer")


def test_someone_is_writing_an_answer(
    browser: Browser, asgi_server, log_in_at, learner, other_learner, thread
):
    reader = log_in_at(browser.new_context().new_page(), asgi_server, learner)
    writer = log_in_at(browser.new_context().new_page(), asgi_server, other_learner)
    open_thread(reader, asgi_server, thread)
    open_thread(writer, asgi_server, thread)

    writer.get_by_label("Your answer").press_sequentially("Check the broker URL", delay=30)

    expect(reader.locator(f"#typing-question-{thread.pk}")).to_contain_text(
        "Omar Other is writing an answer", timeout=3000
    )
    expect(writer.locator(f"#typing-question-{thread.pk}")).to_have_text("")
    expect(reader.locator(f"#viewers-question-{thread.pk}")).to_have_text("2 viewing")


def test_an_offline_tab_catches_up_when_it_returns(
    browser: Browser, asgi_server, log_in_at, learner, other_learner, thread
):
    context = browser.new_context()
    asker = log_in_at(context.new_page(), asgi_server, learner)
    helper = log_in_at(browser.new_context().new_page(), asgi_server, other_learner)
    open_thread(asker, asgi_server, thread)
    open_thread(helper, asgi_server, thread)

    context.set_offline(True)
    # The page closes its socket when the browser says it is offline.
    expect(asker.locator("#live")).to_have_attribute("data-socket", "closed", timeout=15_000)
    post_answer(helper, "First: start the worker with -Q default.")
    post_answer(helper, "Second: check CELERY_BROKER_URL.")
    expect(asker.locator("#answer-list")).not_to_contain_text("First:")

    context.set_offline(False)

    expect(asker.locator("#answer-list")).to_contain_text("First:", timeout=5000)
    expect(asker.locator("#answer-list")).to_contain_text("Second:")
    expect(asker.locator("#answers-title")).to_have_text("2 answers")


def test_the_bell_rings_and_the_toast_leads_to_the_answer(
    browser: Browser, asgi_server, log_in_at, learner, other_learner, thread
):
    asker = log_in_at(browser.new_context().new_page(), asgi_server, learner)
    helper = log_in_at(browser.new_context().new_page(), asgi_server, other_learner)
    asker.goto(f"{asgi_server}/notifications/settings/")  # any page
    expect(asker.locator("#live")).to_have_attribute("data-socket", "open", timeout=15_000)
    expect(asker.locator("#bell-count")).to_be_hidden()
    open_thread(helper, asgi_server, thread)

    post_answer(helper, "Start the worker with the right -A app.")

    expect(asker.locator("#bell-count")).to_have_text("1 unread", timeout=3000)
    toast = asker.locator("#toasts .toast", has_text="answered your question")
    expect(toast).to_be_visible()
    toast.get_by_role("link").click()
    expect(asker).to_have_url(re.compile(r"#answer-\d+$"))
    expect(asker.locator("#answer-list")).to_contain_text("right -A app")


def test_without_websockets_the_page_polls(
    browser: Browser, asgi_server, log_in_at, learner, other_learner, thread
):
    """A network that blocks WebSockets: the page falls back to polling the catch-up
    endpoint (every 20 s; half a second here) and still shows new answers."""
    context = browser.new_context()
    context.add_init_script("window.NEXUS_POLL_MS = 500;")
    asker = log_in_at(context.new_page(), asgi_server, learner)
    asker.route_web_socket("**/ws/live/**", lambda ws: ws.close())
    helper = log_in_at(browser.new_context().new_page(), asgi_server, other_learner)
    asker.goto(f"{asgi_server}{thread.get_absolute_url()}")
    open_thread(helper, asgi_server, thread)

    post_answer(helper, "Polling still gets this one.")

    expect(asker.locator("#answer-list")).to_contain_text("Polling still gets", timeout=8000)


def test_the_loading_bar_shows_for_what_a_person_asks_not_for_the_catch_up(
    browser: Browser, asgi_server, log_in_at, learner, thread
):
    page = log_in_at(browser.new_context().new_page(), asgi_server, learner)
    # Record every time the bar starts, from before the page's own scripts run.
    page.add_init_script(
        """
        window.__barStarts = 0;
        document.addEventListener("DOMContentLoaded", function () {
          var bar = document.getElementById("loading-bar");
          new MutationObserver(function () {
            if (!bar.classList.contains("is-active")) return;
            window.__barStarts += 1;
            document.documentElement.dataset.barStarts = String(window.__barStarts);
          }).observe(bar, { attributes: true, attributeFilter: ["class"] });
        });
        """
    )
    open_thread(page, asgi_server, thread)
    expect(page.locator("#live")).to_have_attribute("data-caught-up", re.compile(r"[1-9]"))
    assert page.evaluate("window.__barStarts") == 0
    # A request the person makes still shows it: the preview of what they type.
    page.get_by_label("Your answer").fill("Is the **worker** running?")
    page.get_by_text("Preview").first.click()
    # (An attribute Playwright polls: the page's CSP forbids the eval a polled function needs.)
    expect(page.locator("html")).to_have_attribute(
        "data-bar-starts", re.compile(r"[1-9]"), timeout=15_000
    )
