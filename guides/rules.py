"""The "may be out of date" rule, as pure functions (pages, the queue and tests share it).

A section is due for review when nobody has reviewed it for `NEXUS_GUIDE_REVIEW_AFTER`
(180 days unless set), counted from its last review or, never reviewed, from when it was
written; or when it names a library version older than the one the program teaches now
(`NEXUS_PROGRAM_VERSIONS`). Both are settings, so an operator moves them without a deploy
of code, and tests move the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from guides.models import VERSION_RE, VERSIONS_MAX


@dataclass(frozen=True)
class Staleness:
    overdue: bool
    # "Django 5.2 (the program uses 6.1)" for each version behind the program's.
    behind: tuple[str, ...]
    # The review period in days (for the notice's words).
    days: int = 180

    @property
    def is_stale(self) -> bool:
        return self.overdue or bool(self.behind)

    def __bool__(self) -> bool:
        return self.is_stale


def _number(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def versions_parse(raw: str | Iterable[str]) -> list[str]:
    """`"Django 6.1, DRF 3.18"` -> `["Django 6.1", "DRF 3.18"]`; ValidationError if a part
    is not "<name> <number>"."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    versions: list[str] = []
    for part in parts:
        text = " ".join(part.split())
        if not text:
            continue
        if not VERSION_RE.match(text) or len(text) > 40:
            raise ValidationError(
                {
                    "versions": f"“{text[:40]}” is not a version: write a name and a number, "
                    "like “Django 6.1”."
                }
            )
        if text not in versions:
            versions.append(text)
    if len(versions) > VERSIONS_MAX:
        raise ValidationError({"versions": f"At most {VERSIONS_MAX} versions, please."})
    return versions


def versions_behind(
    versions: Iterable[str], current: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The versions older than the program's current ones (unknown libraries never are)."""
    current = settings.NEXUS_PROGRAM_VERSIONS if current is None else current
    by_name = {name.lower(): number for name, number in current.items()}
    behind = []
    for version in versions:
        match = VERSION_RE.match(version)
        if not match:
            continue
        now = by_name.get(match["name"].lower())
        if now is None:
            continue
        theirs, ours = _number(match["number"]), _number(now)
        # Compare as far as both are written: "Django 6" is not behind "6.1".
        width = min(len(theirs), len(ours))
        if theirs[:width] < ours[:width]:
            behind.append(f"{version} (the program uses {match['name']} {now})")
    return tuple(behind)


def review_after() -> timedelta:
    return settings.NEXUS_GUIDE_REVIEW_AFTER


def staleness(
    *,
    reviewed_at: datetime | None,
    created_at: datetime,
    versions: Iterable[str],
    now: datetime | None = None,
) -> Staleness:
    now = now or timezone.now()
    since = reviewed_at or created_at
    period = review_after()
    return Staleness(
        overdue=since < now - period, behind=versions_behind(versions), days=period.days
    )


def section_staleness(section, now: datetime | None = None) -> Staleness:
    return staleness(
        reviewed_at=section.last_reviewed_at,
        created_at=section.created_at,
        versions=section.versions,
        now=now,
    )
