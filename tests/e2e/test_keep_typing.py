"""A live refresh never destroys what a person is typing or has open.

Each socket (re)open asks /live/catch-up for what the tab missed, and live events redraw
whole sections (#answers, #reviews, #feedback): forms being filled in there must come
through with their values, focus and caret (static/js/live.js, keepOpenForms)."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from discussions.tests import factories as make
from projects import services as project_services
from projects.tests import factories as make_project

pytestmark = [pytest.mark.e2e]

# The thread page's own catch-up (not the one of the page the login ended on).
THREAD_CATCH_UP = re.compile(r"/live/catch-up\?topics=question")


def caught_up(page: Page, times: int) -> None:
    """Wait until the page has swapped in its `times`-th catch-up (live.js counts them on
    #live[data-caught-up]); more is fine."""
    at_least = "|".join(str(n) for n in range(times, 10))
    expect(page.locator("#live")).to_have_attribute(
        "data-caught-up", re.compile(rf"^({at_least}|\d{{2,}})$"), timeout=15_000
    )


def wait_socket_open(page: Page) -> None:
    """The socket is open and the catch-up that follows has landed."""
    page.wait_for_selector("#live[data-socket=open]", state="attached", timeout=15_000)
    caught_up(page, 1)


def test_a_half_typed_comment_survives_a_network_drop(
    browser: Browser, asgi_server, log_in_at, learner, other_learner
):
    question = make.question(learner, title="Why is my queryset evaluated twice in the view?")
    answer = make.answer(other_learner, question, body="Because `len()` evaluates it.")
    context = browser.new_context()
    page = log_in_at(context.new_page(), asgi_server, learner)
    page.goto(f"{asgi_server}{question.get_absolute_url()}")
    wait_socket_open(page)

    post = page.locator(f"#answer-{answer.pk}")
    post.get_by_role("link", name="Add a comment").click()
    box = post.get_by_label("Comment")
    expect(box).to_be_focused()
    box.press_sequentially("Does list() do the same thing", delay=10)
    box.press("ArrowLeft")
    box.press("ArrowLeft")

    context.set_offline(True)
    page.wait_for_timeout(3000)  # the outage itself, not a wait for the page
    context.set_offline(False)
    caught_up(page, 2)

    box = page.locator(f"#answer-{answer.pk}").get_by_label("Comment")
    expect(box).to_have_value("Does list() do the same thing")
    expect(box).to_be_focused()
    caret = box.evaluate("el => [el.selectionStart, el.selectionEnd]")
    assert caret == [len("Does list() do the same thi")] * 2
    # Typing goes on where it left off.
    box.press_sequentially("n", delay=10)
    expect(box).to_have_value("Does list() do the same thinng")


def test_a_half_written_review_survives_someone_starring(
    browser: Browser, asgi_server, log_in_at, learner, other_learner, mentor
):
    project = make_project.requested(learner, title="Ledger: double-entry bookkeeping API")
    project_services.review_claim(mentor=mentor, project=project)
    reviewer = log_in_at(browser.new_context().new_page(), asgi_server, mentor)
    fan = log_in_at(browser.new_context().new_page(), asgi_server, other_learner)
    reviewer.goto(f"{asgi_server}{project.get_absolute_url()}")
    wait_socket_open(reviewer)
    reviewer.get_by_label("Needs work").check()
    works = reviewer.get_by_label("What works")
    works.fill("Clean serializers; the ledger model")
    expect(works).to_be_focused()

    fan.goto(f"{asgi_server}{project.get_absolute_url()}")
    fan.get_by_role("button", name="Star").click()
    expect(fan.locator("#star")).to_contain_text("Starred")

    # The star arrives live: the mentor's page redraws its sections…
    expect(reviewer.locator("#star")).to_contain_text("1", timeout=15_000)
    # …and the review being written is still there, as it was.
    expect(reviewer.get_by_label("Needs work")).to_be_checked()
    expect(reviewer.get_by_label("What works")).to_have_value("Clean serializers; the ledger model")
    expect(reviewer.get_by_label("What works")).to_be_focused()


def test_a_reply_box_left_open_stays_open(
    browser: Browser, asgi_server, log_in_at, learner, other_learner, mentor
):
    project = make_project.project(learner, title="Pager: cursor pagination for DRF")
    item = make_project.feedback(other_learner, project, body="Nice cursor encoding.")
    page = log_in_at(browser.new_context().new_page(), asgi_server, learner)
    page.goto(f"{asgi_server}{project.get_absolute_url()}")
    wait_socket_open(page)
    page.locator(f"#feedback-{item.pk} summary", has_text="Reply").click()
    reply = page.locator(f"#reply-{item.pk}")
    expect(reply).to_be_visible()
    reply.fill("Thanks, it is base64 of the last id")

    helper = log_in_at(browser.new_context().new_page(), asgi_server, mentor)
    helper.goto(f"{asgi_server}{project.get_absolute_url()}")
    helper.get_by_label("Feedback", exact=True).fill("Document the cursor format.")
    helper.get_by_role("button", name="Post feedback").click()

    expect(page.locator("#feedback")).to_contain_text("Document the cursor format", timeout=15_000)
    expect(reply).to_be_visible()
    expect(reply).to_have_value("Thanks, it is base64 of the last id")


def test_an_opened_flag_form_survives_the_catch_up_after_load(
    browser: Browser, asgi_server, log_in_at, learner, other_learner
):
    """The catch-up that follows every socket open lands after the person opened the
    flag form (held back here, so the order is certain)."""
    question = make.question(learner, title="How do I stop a Celery beat from double-firing?")
    answer = make.answer(other_learner, question, body="Buy my course at spam.example")
    page = log_in_at(browser.new_context().new_page(), asgi_server, learner)
    held = []
    page.route(THREAD_CATCH_UP, lambda route: held.append(route))

    with page.expect_request(THREAD_CATCH_UP, timeout=15_000):
        page.goto(f"{asgi_server}{question.get_absolute_url()}")
    post = page.locator(f"#answer-{answer.pk}")
    post.get_by_role("link", name="Flag").click()
    post.get_by_label("Spam").check()
    post.get_by_label("Details").fill("Advertising")

    held[0].continue_()
    page.unroute(THREAD_CATCH_UP)
    caught_up(page, 1)

    expect(post.get_by_label("Spam")).to_be_checked()
    expect(post.get_by_label("Details")).to_have_value("Advertising")


def test_a_flag_form_requested_just_before_the_catch_up_still_opens(
    browser: Browser, asgi_server, log_in_at, learner, other_learner
):
    """The Flag link is clicked, then the catch-up replaces the answers before the form's
    response arrives: the form opens where the link now is."""
    question = make.question(learner, title="Why does my signal handler run twice on save?")
    answer = make.answer(other_learner, question, body="Buy my course at spam.example")
    page = log_in_at(browser.new_context().new_page(), asgi_server, learner)
    held_catch_up, held_flag = [], []
    page.route(THREAD_CATCH_UP, lambda route: held_catch_up.append(route))
    with page.expect_request(THREAD_CATCH_UP, timeout=15_000):
        page.goto(f"{asgi_server}{question.get_absolute_url()}")
    page.route(f"**/flag/answer/{answer.pk}", lambda route: held_flag.append(route))
    with page.expect_request(f"**/flag/answer/{answer.pk}"):
        page.locator(f"#answer-{answer.pk}").get_by_role("link", name="Flag").click()

    held_catch_up[0].continue_()
    page.unroute(THREAD_CATCH_UP)
    caught_up(page, 1)
    held_flag[0].continue_()

    expect(page.locator(f"#answer-{answer.pk}").get_by_label("Spam")).to_be_visible()
