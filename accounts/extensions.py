"""Extension points of the profile page, for the apps above accounts.

A profile shows what a person did in the forum and the showcase, but accounts imports
neither (DESIGN.md): discussions and projects register a hook here in their `ready()`, as
`discussions.extensions` works for the guide. Each hook gets the page's request and the
person, runs a fixed number of queries whatever that person's activity, and returns
ProfileExtras:

    stats    counts shown under the name ("12 answers", "3 accepted")
    tabs     one section each (?tab=answers); only the open tab renders its rows, one keyset
             page of them (?tab=answers&after=<cursor>, the app's own cursor format)
    aside    cards beside About (the topics a person helps in), rendered and escaped

Everything shown goes through the viewer's eyes: hidden or deleted posts count and list
only for those who may see them (accounts.permissions.hidden_shown_to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class ProfileStat:
    label: str  # "accepted answers", after the number
    value: int
    tab: str = ""  # the tab the count opens, if any
    order: int = 100


@dataclass
class ProfileTab:
    key: str  # the ?tab= value
    label: str
    count: int
    # (cursor or None) -> the rendered, escaped section: one page of rows and its links
    render: Callable[[str | None], str]
    order: int = 100


@dataclass
class ProfileExtras:
    stats: list[ProfileStat] = field(default_factory=list)
    tabs: list[ProfileTab] = field(default_factory=list)
    aside: str = ""


@dataclass
class ProfilePage:
    stats: list[ProfileStat]
    tabs: list[ProfileTab]
    tab: ProfileTab | None
    panel: SafeString
    aside: SafeString


ProfileHook = Callable[[HttpRequest, Any], ProfileExtras]

PROFILE_EXTRAS: list[ProfileHook] = []


def register_profile(hook: ProfileHook) -> None:
    if hook not in PROFILE_EXTRAS:
        PROFILE_EXTRAS.append(hook)


def profile_page(
    *, request: HttpRequest, user: Any, tab: str | None, cursor: str | None
) -> ProfilePage:
    """Every registered app's part of `user`'s profile, merged; the tab asked for is
    rendered (or, without one, the first tab that has anything, else the first tab)."""
    merged = ProfileExtras()
    for hook in PROFILE_EXTRAS:
        extras = hook(request, user)
        merged.stats.extend(extras.stats)
        merged.tabs.extend(extras.tabs)
        merged.aside += extras.aside
    stats = sorted(merged.stats, key=lambda s: s.order)
    tabs = sorted(merged.tabs, key=lambda t: t.order)
    chosen = next((t for t in tabs if t.key == tab), None)
    if chosen is None:
        cursor = None  # a cursor belongs to the tab it came from
        chosen = next((t for t in tabs if t.count), tabs[0] if tabs else None)
    panel = chosen.render(cursor) if chosen is not None else ""
    return ProfilePage(
        stats=stats,
        tabs=tabs,
        tab=chosen,
        panel=mark_safe(panel),  # noqa: S308 - rendered by the apps' templates
        aside=mark_safe(merged.aside),  # noqa: S308
    )
