"""No main page scrolls sideways on a phone (320 to 390 px wide), with the demo data's real
titles, code blocks and tables, signed out and signed in as a mentor; and no header scrolls
sideways at any width from 300 to 1400 px for a learner, a mentor or an admin with a long
name, in either theme."""

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser

from accounts.models import User
from discussions.models import Question
from projects.models import Project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MENTOR_PASSWORD = "mentor-django-2026"  # the demo mentor's (README)

# What sticks out past the viewport, for the failure message.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && getComputedStyle(el).position !== "fixed") {
      let inside = el.parentElement, clipped = false;
      while (inside && inside !== document.body) {
        const overflow = getComputedStyle(inside).overflowX;
        if (["auto", "scroll", "hidden"].includes(overflow)) { clipped = true; break; }
        inside = inside.parentElement;
      }
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`;
      if (!clipped) wide.push(`${name} ${Math.round(box.right)}px`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


def learner_handle() -> str:
    return User.objects.get(email="learner@nexus.example").handle


def pages(question: Question, project: Project, mentor: User) -> dict[str, str]:
    return {
        "home": "/",
        "question list": "/questions/",
        "a question": question.get_absolute_url(),
        "ask": "/ask/",
        "projects": "/projects/",
        "a project": project.get_absolute_url(),
        "notifications": "/notifications/",
        "profile": mentor.get_absolute_url(),
        "profile answers": mentor.get_absolute_url() + "?tab=answers",
        "profile reviews": mentor.get_absolute_url() + "?tab=reviews",
        "profile questions": "/u/" + learner_handle() + "/?tab=questions",
        "settings": "/settings/",
        "queue": "/mod/",
        "log": "/mod/log/",
        "saved replies": "/mod/replies/",
        "search": "/search/?q=celery",
        "guide": "/guide/",
        "a guide article": "/guide/python/",
    }


@pytest.mark.parametrize("width", [320, 360, 375, 390])
def test_no_main_page_scrolls_sideways(browser: Browser, live_server, width):
    call_command("seed_demo", allow_without_debug=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    mentor = User.objects.get(email="mentor@nexus.example")
    question = Question.objects.filter(body__contains="```").order_by("-answer_count").first()
    project = Project.objects.filter(state="published").order_by("-feedback_count").first()
    context = browser.new_context(viewport={"width": width, "height": 800}, has_touch=True)
    page = context.new_page()

    failures = []

    def check(name: str, path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        found = page.evaluate(OVERFLOW)
        if found["scroll"] > found["width"]:
            failures.append(f"{name} ({path}): {found['scroll']} px wide; {found['wide']}")

    check("login", "/accounts/login/")
    check("signup", "/accounts/signup/")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(mentor.email)
    page.get_by_label("Password").fill(MENTOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    for name, path in pages(question, project, mentor).items():
        check(name, path)
    # On a phone the home page leads with questions, not with the topic links.
    page.goto(f"{live_server.url}/")
    first = page.locator(".question-row").first.bounding_box()
    topics = page.locator(".forum__side").bounding_box()
    if first["y"] > topics["y"]:
        failures.append(f"home: first question at {first['y']:.0f} px, below the topics")
    welcome = page.locator(".welcome").bounding_box()
    heading = page.locator(".home-list-header").bounding_box()
    if heading["y"] - (welcome["y"] + welcome["height"]) < 16:
        failures.append("home: the list heading touches the welcome card")

    # A question row's byline flows as text: no name broken over two lines beside "asked".
    page.goto(f"{live_server.url}/questions/")
    broken = page.evaluate(
        """() => [...document.querySelectorAll('.question-row__who > a')].slice(0, 10)
          .filter(a => [...a.getClientRects()].some(r => r.height > 26))
          .map(a => a.textContent)"""
    )
    if broken:
        failures.append(f"question list: names broken over lines {broken}")

    # A notification names its thread: no title cut off sideways after a few words.
    page.goto(f"{live_server.url}/notifications/")
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.notification__title')]
          .filter(t => t.scrollWidth > t.clientWidth + 1).map(t => t.textContent.trim())"""
    )
    if cut:
        failures.append(f"notifications: titles cut off {cut[:3]}")

    # A thread's text has the width of its card: the votes sit above it on the narrowest
    # phones, not in a column beside it.
    page.goto(f"{live_server.url}{question.get_absolute_url()}")
    share = page.evaluate(
        """() => { const post = document.querySelector('#question');
                   const body = post.querySelector('.post__body');
                   const width = (el) => el.getBoundingClientRect().width;
                   return width(body) / width(post); }"""
    )
    if width <= 400 and share < 0.85:
        failures.append(f"thread: the question's text takes {share:.0%} of its card's width")

    # Every settings section in sight, none scrolled past the edge.
    page.goto(f"{live_server.url}/settings/")
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('.settings-nav__link')]
          .filter(a => a.getBoundingClientRect().right > document.documentElement.clientWidth)
          .map(a => a.textContent.trim())"""
    )
    if hidden:
        failures.append(f"settings: sections past the edge {hidden}")

    assert not failures, f"at {width} px:\n" + "\n".join(failures)


# Long names as people have them (display names hold up to 60 characters).
LONG_NAMES = {
    "learner@nexus.example": ("Bartholomew Nakamura-Okonkwo Jr.", "learn-django-2026"),
    "mentor@nexus.example": ("Maximiliana Oyelaran-Fernández de la Cruz", "mentor-django-2026"),
    "admin@nexus.example": ("Administratorin Wilhelmina Schwarz", "admin-django-2026"),
}
# Every 10 px from 300 to 1400 (the breakpoints at 360, 720, 960 and 1100 and the bands
# between them), and the common devices.
HEADER_WIDTHS = sorted({*range(300, 1401, 10), 375, 390, 768, 1024, 1280})


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_long_names_never_make_the_header_scroll_sideways(browser: Browser, live_server, scheme):
    call_command("seed_demo", allow_without_debug=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    for email, (name, _) in LONG_NAMES.items():
        User.objects.filter(email=email).update(display_name=name)
    question = Question.objects.filter(body__contains="```").order_by("-answer_count").first()
    failures = []
    for email, (name, password) in LONG_NAMES.items():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        for path in ("/", question.get_absolute_url(), "/projects/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("load")
            for width in HEADER_WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                found = page.evaluate(OVERFLOW)
                if found["scroll"] > found["width"]:
                    failures.append(f"{email} at {width} px on {path}: {found['wide']}")
        # The menu still names the person and their role where the header has no room.
        page.set_viewport_size({"width": 800, "height": 800})
        page.locator(".user-menu__trigger").click()
        panel = page.locator(".user-menu .dropdown__panel")
        assert panel.get_by_text(name).is_visible()
        box = panel.bounding_box()
        if box["x"] < 0:
            failures.append(f"{email}: the account menu starts {box['x']:.0f} px off screen")
        context.close()
    assert not failures, f"{scheme} theme:\n" + "\n".join(failures[:20])
