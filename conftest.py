"""Fixtures every app's tests share: the people of Nexus, and a clean cache per test."""

import shutil

import pytest
from django.core.cache import cache

from accounts.models import Role
from accounts.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached fragments must not leak between tests (the real
    Redis in CI outlives a test), nor hub.cache's per-process state: a past outage's pause
    and the local copies of entries."""
    from hub import cache as hub_cache

    cache.clear()
    hub_cache.reset()
    yield
    cache.clear()
    hub_cache.reset()


@pytest.fixture(autouse=True)
def _cache_only_where_asked(request, settings):
    """hub.cache entries are on in browser journeys and tests marked `cached` only.
    Elsewhere every read computes afresh: those tests write inside one transaction that
    never commits, so the after-commit version bumps of production never run there."""
    marked = request.node.get_closest_marker("cached") or request.node.get_closest_marker("e2e")
    settings.NEXUS_CACHE = bool(marked)


@pytest.fixture
def template_renders(monkeypatch):
    """`template_renders(views)` spies on a views module's render_to_string: the list it
    returns fills with each template name rendered, in order."""

    def spy(module) -> list[str]:
        rendered: list[str] = []
        real = module.render_to_string

        def counting(name, *args, **kwargs):
            rendered.append(name)
            return real(name, *args, **kwargs)

        monkeypatch.setattr(module, "render_to_string", counting)
        return rendered

    return spy


@pytest.fixture
def learner(db):
    return UserFactory(handle="learner-one", display_name="Lena Learner")


@pytest.fixture
def other_learner(db):
    return UserFactory(handle="learner-two", display_name="Omar Other")


@pytest.fixture
def mentor(db):
    return UserFactory(handle="mentor-one", display_name="Mia Mentor", role=Role.MENTOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(handle="admin-one", display_name="Ali Admin", role=Role.ADMIN)


# --- Browser journeys (marker e2e, run in their own pytest process) -------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright launches Debian's Chromium by path: no browser download here."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Browser journeys need Chromium: apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
