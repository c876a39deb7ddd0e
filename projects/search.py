"""Projects in the site search (hub.search), registered in ready()."""

from __future__ import annotations

from typing import Any

from hub import search
from projects import selectors
from projects.models import State


def project_hits(
    viewer: Any, query: search.ParsedQuery, offset: int, limit: int
) -> search.KindPage:
    found, total = selectors.project_search_page(
        viewer=viewer, query=query, offset=offset, limit=limit
    )
    hits = []
    for hit in found:
        project = hit.project
        badges = []
        if project.state == State.DRAFT:
            badges.append(("Draft", "neutral"))
        elif project.state == State.HIDDEN:
            badges.append(("Hidden", "warning"))
        stars = project.star_count
        hits.append(
            search.Hit(
                label="Project",
                title=project.title,
                url=project.get_absolute_url(),
                snippet=hit.snippet,
                meta=f"by {project.author.name} · {stars} star{'s' if stars != 1 else ''}"
                + (f" · {project.cohort}" if project.cohort else ""),
                tags=search.tags_marked(hit.tags, query),
                badges=badges,
                item=project,
            )
        )
    return search.KindPage(hits=hits, total=total)


def register() -> None:
    search.register(
        search.Provider(
            kind="projects", label="Projects", order=20, search=project_hits, overview=3
        )
    )
