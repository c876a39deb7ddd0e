import pytest
from playwright.sync_api import Page

from accounts.tests.factories import PASSWORD


@pytest.fixture
def log_in(live_server):
    """Log `user` in through the real login page of `page`."""

    def _log_in(page: Page, user) -> Page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _log_in
