"""Projects' live events: the seam the services call after commit.

Topic: ``project:<id>`` (a project page: feedback, stars, review state, edits).

The services already call these, once, on commit, with the id the event concerns. The
pages (next issue) give each one its body: render the viewer-neutral partial from
``templates/projects/live.html`` and ``hub.live.publish(project_topic(id), html)``, and
register the topic (authorised through ``selectors.project_get_for_viewer``) in
``ProjectsConfig.ready``. Until then they only record what happened, so tests can assert
the events a write sends.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def project_topic(project_id: int) -> str:
    return f"project:{project_id}"


def project_group(key: str) -> str:
    return f"projects.project.{int(key)}"


def project_changed(project_id: int) -> None:
    """Title, text, links, tags, state or review state changed."""
    logger.debug("projects: project %s changed", project_id)


def star_changed(project_id: int, star_count: int) -> None:
    logger.debug("projects: project %s has %s stars", project_id, star_count)


def feedback_created(feedback_id: int) -> None:
    logger.debug("projects: feedback %s created", feedback_id)


def feedback_changed(feedback_id: int) -> None:
    """Edited or deleted."""
    logger.debug("projects: feedback %s changed", feedback_id)


def review_changed(review_id: int) -> None:
    """Claimed, released or submitted."""
    logger.debug("projects: review %s changed", review_id)
