"""Guide content made through the services, as people would make it."""

from itertools import count

from accounts.models import User
from discussions.tests import factories as forum
from guides import services
from guides.models import Guide, Section

_serial = count(1)
BODY = (
    "Use `select_related` for foreign keys.\n\n"
    "```python\nBook.objects.select_related('author')\n```\n"
)


def guide(slug: str = "django", name: str = "Django") -> Guide:
    return services.guide_ensure(category=forum.category(slug=slug, name=name))


def section(
    editor: User,
    *,
    on: Guide | None = None,
    title: str | None = None,
    body: str = BODY,
    versions: str = "Django 6.1",
) -> Section:
    return services.section_create(
        editor=editor,
        guide=on or guide(),
        title=title or f"Section number {next(_serial)}",
        body=body,
        versions=versions,
    )
