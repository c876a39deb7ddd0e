"""axe-core finds nothing serious or critical on any main page, in the light and the dark
theme, at desktop and phone width, signed out and as the demo mentor.

axe-core is vendored (tests/e2e/vendor/axe-core, pinned, MPL-2.0); one browser, one page load
per URL. Every rule runs on the light desktop look; the other three looks (dark desktop,
light and dark phone) are switched on the loaded page and rerun the rules whose outcome
depends on colours and layout, which keeps the file to a few minutes.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page

from accounts.models import User
from discussions.models import Question
from guides.models import Guide
from projects.models import Project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
MENTOR_PASSWORD = "mentor-django-2026"  # the demo mentor's (README)
LOOKS = [
    ("light", {"width": 1280, "height": 900}),
    ("dark", {"width": 1280, "height": 900}),
    ("light", {"width": 375, "height": 800}),
    ("dark", {"width": 375, "height": 800}),
]
# What a change of colour scheme or width can change.
LOOK_RULES = [
    "color-contrast",
    "link-in-text-block",
    "scrollable-region-focusable",
    "target-size",
    "nested-interactive",
]

# Serious and critical violations, one line per rule with a few of its elements. An
# aria-label on an element without a role is only "needs review" to axe; we count it.
RUN_AXE = """async (rules) => {
  const options = rules ? {runOnly: {type: "rule", values: rules}} : {};
  const result = await axe.run(document, options);
  const prohibited = result.incomplete.filter((v) => v.id === "aria-prohibited-attr");
  return [...result.violations, ...prohibited]
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.length}x, e.g. ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(" ") +
        (n.failureSummary ? ` [${n.failureSummary.split("\\n").slice(1, 2).join("").trim()}]` : "")
      ).join(" | "));
}"""


def audit(page: Page, url: str, name: str, failures: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    for index, (scheme, viewport) in enumerate(LOOKS):
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        page.set_viewport_size(viewport)
        found = page.evaluate(RUN_AXE, None if index == 0 else LOOK_RULES)
        failures.extend(f"{name}, {scheme} {viewport['width']} px: {line}" for line in found)


def test_axe_finds_nothing_serious_on_the_main_pages(browser: Browser, live_server):
    call_command("seed_demo", allow_without_debug=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    mentor = User.objects.get(email="mentor@nexus.example")
    learner = User.objects.get(email="learner@nexus.example")
    question = (
        Question.objects.filter(body__contains="```", accepted_answer__isnull=False)
        .order_by("-answer_count")
        .first()
    )
    project = Project.objects.filter(state="published").order_by("-feedback_count").first()
    guide = Guide.objects.order_by("pk").first()
    # The CSP allows no injected script: axe is added by the test, not by the page.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    base = live_server.url
    failures: list[str] = []

    signed_out = {
        "home": "/",
        "question list": "/questions/",
        "a question": question.get_absolute_url(),
        "projects": "/projects/",
        "a project": project.get_absolute_url(),
        "guide index": "/guide/",
        "a guide": guide.get_absolute_url(),
        "profile": learner.get_absolute_url(),
        "profile questions": learner.get_absolute_url() + "?tab=questions",
        "search": "/search/?q=celery",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "not found": "/no-such-page/",
    }
    for name, path in signed_out.items():
        audit(page, f"{base}{path}", f"signed out: {name}", failures)

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(mentor.email)
    page.get_by_label("Password").fill(MENTOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    signed_in = {
        "home": "/",
        "a question": question.get_absolute_url(),
        "ask": "/ask/",
        "a project": project.get_absolute_url(),
        "new project": "/projects/new/",
        "awaiting review": "/projects/awaiting-review/",
        "notifications": "/notifications/",
        "notification settings": "/notifications/settings/",
        "own profile": mentor.get_absolute_url(),
        "own profile reviews": mentor.get_absolute_url() + "?tab=reviews",
        "settings": "/settings/",
        "tokens": "/settings/tokens/",
        "queue": "/mod/",
        "log": "/mod/log/",
        "saved replies": "/mod/replies/",
        "a guide": guide.get_absolute_url(),
    }
    for name, path in signed_in.items():
        audit(page, f"{base}{path}", f"mentor: {name}", failures)
    context.close()

    assert not failures, f"{len(failures)} serious or critical:\n" + "\n".join(failures)
