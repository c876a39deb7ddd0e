"""Guides' live events. Topic `guide:<id>`: an open article page follows it, and a
section that is published (created, edited, a proposal accepted, reverted, an answer
added) or reviewed is swapped in by id. Fragments are rendered once, viewer-neutral;
per-viewer controls stay on the page (they live outside the swapped parts)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from hub import live

ARTICLE = "guides/guide_detail.html"


def guide_topic(guide_id: int) -> str:
    return f"guide:{guide_id}"


def guide_group(key: str) -> str:
    return f"guides.guide.{int(key)}"


def _authorize_guide(user: Any, key: str) -> bool:
    from guides.models import Guide

    return Guide.objects.filter(pk=int(key)).exists()


def _catch_up_guide(request: HttpRequest, key: str, since: Any) -> str:
    """Every section changed or reviewed since `since`, as it is now."""
    from guides.selectors import sections_changed_since

    if since is None:
        return ""
    sections = sections_changed_since(guide_id=int(key), since=since)
    return "".join(_section_html(section, oob="true") for section in sections)


def register_topics() -> None:
    live.register(
        live.Topic("guide", group=guide_group, authorize=_authorize_guide, catch_up=_catch_up_guide)
    )


def _section_html(section: Any, *, oob: str) -> str:
    return render_to_string(
        f"{ARTICLE}#section-live", {"section": section, "oob": oob, "live": True}
    )


def section_published(section_id: int, created: bool = False) -> None:
    from guides.selectors import section_for_live

    section = section_for_live(section_id)
    if section is None:
        return
    oob = "beforeend:#sections" if created else "true"
    live.publish(guide_topic(section.guide_id), _section_html(section, oob=oob))


def section_reviewed(section_id: int) -> None:
    section_published(section_id)
