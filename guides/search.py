"""Guide sections in the site search (hub.search), registered in ready()."""

from __future__ import annotations

from typing import Any

from guides import selectors
from hub import search


def section_hits(
    viewer: Any, query: search.ParsedQuery, offset: int, limit: int
) -> search.KindPage:
    found, total = selectors.section_search_page(query=query, offset=offset, limit=limit)
    return search.KindPage(
        hits=[
            search.Hit(
                label=f"Guide · {hit.section.guide.title}",
                title=hit.section.title,
                url=hit.section.get_absolute_url(),
                snippet=hit.snippet,
                meta=", ".join(hit.section.versions),
                item=hit.section,
            )
            for hit in found
        ],
        total=total,
    )


def register() -> None:
    search.register(
        search.Provider(kind="guide", label="Guide", order=30, search=section_hits, overview=3)
    )
