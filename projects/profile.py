"""The showcase's part of a profile (accounts.extensions): projects and, for mentors, the
reviews they wrote. Registered in ProjectsConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.extensions import ProfileExtras, ProfileStat, ProfileTab
from projects import selectors

TEMPLATE = "projects/profile_activity.html"


def profile_extras(request: HttpRequest, user: Any) -> ProfileExtras:
    """One or two COUNT queries, plus the open tab's page (two for projects, one for
    reviews)."""
    viewer = request.user
    projects, reviews = selectors.profile_counts(viewer=viewer, user=user)
    context = {"profile_user": user, "request": request, "user": viewer}

    def project_page(cursor: str | None) -> str:
        page = selectors.projects_by_user(viewer=viewer, user=user, cursor=cursor)
        return render_to_string(f"{TEMPLATE}#projects", {**context, "page": page, "cursor": cursor})

    def review_page(cursor: str | None) -> str:
        page = selectors.reviews_by_user(viewer=viewer, user=user, cursor=cursor)
        return render_to_string(f"{TEMPLATE}#reviews", {**context, "page": page, "cursor": cursor})

    stats = [ProfileStat("project", projects, tab="projects", order=40)]
    tabs = [ProfileTab("projects", "Projects", projects, project_page, order=40)]
    if user.is_mentor or reviews:
        stats.append(ProfileStat("review", reviews, tab="reviews", order=50))
        tabs.append(ProfileTab("reviews", "Reviews", reviews, review_page, order=50))
    return ProfileExtras(stats=stats, tabs=tabs)
