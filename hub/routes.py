"""URLs of rows without a reverse() per row: each route is reversed once per process.

A thread page shows ~10 action URLs per answer and every byline links a profile;
reversing each costs more than the queries behind the page (DESIGN.md, bench/pages.py).
`url_pattern("accounts:profile")` is `/u/{}/`, formatted per row; models expose their
links as `urls` (a dict, e.g. `question.urls.vote`) or `get_absolute_url()` built on it,
and templates never spell a path (hub/tests/test_template_urls.py).
"""

from __future__ import annotations

import functools

from django.urls import reverse

# Placeholders every converter used here accepts (int, str, slug), one per slot.
_SLOTS = ("987654321", "987654322", "987654323")


@functools.cache
def url_pattern(name: str, *fixed: str, slots: int = 1) -> str:
    """`name`'s URL with `{}` for each of its last `slots` arguments (after `fixed` ones),
    in the order they appear in the path: reversed once per process."""
    url = reverse(name, args=[*fixed, *_SLOTS[:slots]])
    for slot in _SLOTS[:slots]:
        url = url.replace(slot, "{}")
    return url


def urls_for(pk: int | str, names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{key: URL} for one row, from {key: (route name, *fixed arguments)}."""
    return {key: url_pattern(*spec).format(pk) for key, spec in names.items()}
