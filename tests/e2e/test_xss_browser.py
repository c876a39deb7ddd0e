"""Questions whose bodies are the 673 payloads of the public XSS corpus, opened in a real
browser with the Content-Security-Policy bypassed, so only the sanitiser stands between
the payload and the page. Any dialog, any script run, any request off the site fails."""

import pytest
from playwright.sync_api import Browser

from discussions.models import Question
from discussions.tests import factories as make
from hub.tests.safety import xss_corpus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOOKS = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xss.push(name + ":" + String(args[0])); };
}
"""


def test_no_payload_runs_in_the_browser(browser: Browser, live_server, learner, settings):
    corpus = xss_corpus()  # the in-repo copy (hub/tests/data), so it never skips
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 10_000, "new": 10_000},
        "reply": {"hour": 10_000, "new": 10_000},
    }
    category = make.category()
    for number, payload in enumerate(corpus, start=1):
        make.question(
            learner, title=f"XSS corpus payload {number:04d}", body=payload, cat=category, tags=""
        )
    questions = list(Question.objects.order_by("pk"))
    assert len(questions) == len(corpus) == 673

    context = browser.new_context(bypass_csp=True, java_script_enabled=True)
    context.add_init_script(HOOKS)
    offsite: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url)
            else (offsite.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    ran: list[tuple[str, list[str]]] = []
    for question in questions:
        page.goto(f"{live_server.url}{question.get_absolute_url()}", wait_until="load")
        page.wait_for_timeout(5)
        calls = page.evaluate("window.__xss")
        if calls:
            ran.append((question.title, calls))

    assert dialogs == []
    assert ran == []
    assert offsite == []
