"""Write the GraphQL schema's SDL to docs/api/schema.graphql (committed), or with --check
say how the code's schema differs from the committed one: breaking changes (a client's
query may stop working) apart from safe ones (graphql-core's find_breaking_changes and
find_dangerous_changes)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from graphql import build_schema, find_breaking_changes, find_dangerous_changes

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "schema.graphql"


def current_sdl() -> str:
    from hub.graphql import schema

    return schema.as_str().rstrip() + "\n"


def schema_changes(old_sdl: str, new_sdl: str) -> tuple[list[str], list[str]]:
    """(breaking, other) descriptions of what changed from `old_sdl` to `new_sdl`.
    "Other" holds the dangerous-but-compatible changes and, when the text differs
    otherwise, a note that the rest is safe (descriptions, new types and fields)."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    breaking = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(old, new)]
    other = [f"{c.type.name}: {c.description}" for c in find_dangerous_changes(old, new)]
    if old_sdl != new_sdl and not breaking and not other:
        other.append("SAFE: only additions or descriptions changed")
    return breaking, other


def report(old_sdl: str, new_sdl: str) -> str:
    breaking, other = schema_changes(old_sdl, new_sdl)
    lines = [f"docs/api/schema.graphql is out of date ({len(breaking)} breaking changes)."]
    lines += [f"  BREAKING {line}" for line in breaking]
    lines += [f"  {line}" if line.startswith("SAFE") else f"  DANGEROUS {line}" for line in other]
    lines.append("Run `python manage.py graphql_schema` and commit the file.")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Write docs/api/schema.graphql from the code, or --check it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="Compare, write nothing.")

    def handle(self, *args, check: bool = False, **options) -> None:
        sdl = current_sdl()
        if check:
            committed = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
            if committed != sdl:
                raise CommandError(report(committed or "type Query { _: Int }", sdl))
            self.stdout.write("docs/api/schema.graphql is up to date.")
            return
        SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
        SCHEMA_FILE.write_text(sdl)
        self.stdout.write(f"Wrote {SCHEMA_FILE.relative_to(settings.BASE_DIR)}.")
