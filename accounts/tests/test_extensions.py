"""The profile's extension point: apps register parts; accounts only merges them."""

import pytest
from django.test import RequestFactory

from accounts import extensions
from accounts.extensions import ProfileExtras, ProfileStat, ProfileTab


@pytest.fixture
def hooks(monkeypatch):
    registry: list = []
    monkeypatch.setattr(extensions, "PROFILE_EXTRAS", registry)
    return registry


def _part(*tabs: tuple[str, int, int], aside: str = "") -> extensions.ProfileHook:
    def hook(request, user):
        return ProfileExtras(
            stats=[ProfileStat(key, count, tab=key, order=order) for key, count, order in tabs],
            tabs=[
                ProfileTab(key, key.title(), count, lambda c, k=key: f"<p>{k} after {c}</p>", order)
                for key, count, order in tabs
            ],
            aside=aside,
        )

    return hook


def test_the_first_tab_with_anything_opens_and_a_stray_cursor_is_dropped(hooks, learner):
    hooks += [_part(("projects", 3, 40)), _part(("questions", 0, 10), ("answers", 5, 20))]
    request = RequestFactory().get("/")
    page = extensions.profile_page(request=request, user=learner, tab=None, cursor="abc")
    assert [t.key for t in page.tabs] == ["questions", "answers", "projects"]
    assert page.tab.key == "answers" and page.panel == "<p>answers after None</p>"

    asked = extensions.profile_page(request=request, user=learner, tab="projects", cursor="x")
    assert asked.panel == "<p>projects after x</p>"
    unknown = extensions.profile_page(request=request, user=learner, tab="nope", cursor="x")
    assert unknown.tab.key == "answers"


def test_nothing_registered_is_an_empty_page(hooks, learner):
    page = extensions.profile_page(
        request=RequestFactory().get("/"), user=learner, tab=None, cursor=None
    )
    assert page.tab is None and page.panel == "" and page.tabs == []


def test_register_is_idempotent(hooks):
    hook = _part(("projects", 1, 40))
    extensions.register_profile(hook)
    extensions.register_profile(hook)
    assert hooks == [hook]
