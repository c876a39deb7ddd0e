"""The header's search box in a real browser: it fits the header at every width (a box on
wide screens, an icon link below 1100 px), and searching works with JavaScript off."""

import pytest
from playwright.sync_api import Browser

from accounts.models import Role
from accounts.tests.factories import UserFactory
from discussions.tests import factories as make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDE = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("width", [320, 390, 960, 1100, 1280])
def test_the_header_search_fits_and_works_without_javascript(
    browser: Browser, live_server, log_in, width
):
    mentor = UserFactory(
        handle="long-named-mentor", display_name="Maximiliana Mentorsdottir", role=Role.MENTOR
    )
    question = make.question(mentor, title="Celery loses tasks on every deploy", tags="celery")
    make.answer(mentor, question, body="Turn on acks_late and a visibility timeout.")
    context = browser.new_context(
        viewport={"width": width, "height": 800}, java_script_enabled=False
    )
    page = log_in(context.new_page(), mentor)
    assert page.evaluate(WIDE) <= 0, f"the header scrolls sideways at {width} px"
    box = page.get_by_role("searchbox", name="Search questions, projects and the guide")
    if box.is_visible():
        assert width >= 1100
        box.fill('"visibility timeout"')
        box.press("Enter")
    else:
        assert width < 1100
        page.get_by_role("link", name="Search", exact=True).click()
        page.get_by_role(
            "searchbox", name="Search questions, answers, projects and the guide"
        ).fill('"visibility timeout"')
        page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/search/?q=*")
    result = page.locator(".search-result").first
    assert "Celery loses tasks on every deploy" in result.inner_text()
    assert "visibility" in result.locator("mark").first.inner_text().lower()
    assert page.evaluate(WIDE) <= 0, f"the results page scrolls sideways at {width} px"
    context.close()
