"""Projects' live events. Topic: ``project:<id>`` (a project page).

Project pages change rarely and everything on them depends on the viewer (who may reply,
claim, star), so an event sends one small "stale" hint to the page's tabs, and each tab
fetches its own view of the feedback and reviews through `/live/catch-up` (the same path
a reconnecting tab takes). Services call these once, on commit. Each also bumps the cache
versions ("project", id) and ("projects", "") (hub.cache): cached project parts are never
older than the last event.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html

from hub import cache, live


def project_topic(project_id: int) -> str:
    return f"project:{project_id}"


def project_group(key: str) -> str:
    return f"projects.project.{int(key)}"


def _authorize(user: Any, key: str) -> bool:
    from projects.selectors import projects_visible_to

    return projects_visible_to(user).filter(pk=int(key)).exists()


def _catch_up(request: HttpRequest, key: str, since: Any) -> str:
    from projects.selectors import project_get_for_viewer, project_page

    project = project_get_for_viewer(viewer=request.user, pk=int(key))
    if project is None:
        return ""
    context = project_page(viewer=request.user, project=project, oob=True)
    return render_to_string("projects/project_detail.html#live-sections", context, request=request)


def register_topics() -> None:
    live.register(
        live.Topic("project", group=project_group, authorize=_authorize, catch_up=_catch_up)
    )


def _stale(project_id: int) -> None:
    cache.version_bump("project", project_id)
    cache.version_bump("projects")
    live.publish(
        project_topic(project_id),
        format_html(
            '<template id="live-stale" data-topic="{}" data-at="{}" hx-swap-oob="true"></template>',
            project_topic(project_id),
            live.now_iso(),
        ),
    )


def project_changed(project_id: int) -> None:
    """Title, text, links, tags, state or review state changed."""
    # Unpublished or hidden? Its subscribers re-check the topic before the next event.
    live.recheck(project_topic(project_id))
    _stale(project_id)


def star_changed(project_id: int, star_count: int) -> None:
    _stale(project_id)


def feedback_created(feedback_id: int) -> None:
    from projects.models import Feedback

    project_id = Feedback.objects.filter(pk=feedback_id).values_list("project_id", flat=True)
    if project_id:
        _stale(project_id[0])


def feedback_changed(feedback_id: int) -> None:
    """Edited or deleted."""
    feedback_created(feedback_id)


def review_changed(review_id: int) -> None:
    """Claimed, released or submitted."""
    from projects.models import Review

    project_id = Review.objects.filter(pk=review_id).values_list("project_id", flat=True)
    if project_id:
        _stale(project_id[0])
