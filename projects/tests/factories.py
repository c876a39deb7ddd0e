"""Projects, feedback and reviews made through the services, as users would make them."""

from itertools import count

from accounts.models import User
from projects import services
from projects.models import Feedback, Project, Review

_serial = count(1)


def project(
    author: User,
    *,
    title: str | None = None,
    publish: bool = True,
    feedback_wanted: bool = False,
    tags: str = "django drf",
    cohort: str = "2026-spring",
    **fields,
) -> Project:
    n = next(_serial)
    return services.project_create(
        author=author,
        title=title or f"Library API number {n}",
        pitch="A REST API for a small lending library.",
        description="Built with **Django** and DRF.\n\n```python\nprint('hi')\n```",
        repository_url=fields.pop("repository_url", f"https://github.com/someone/library-{n}"),
        tags=tags,
        cohort=cohort,
        feedback_wanted=feedback_wanted,
        feedback_note="The data model, please." if feedback_wanted else "",
        publish=publish,
        **fields,
    )


def feedback(author: User, on: Project, body: str = "Nice API!", **kwargs) -> Feedback:
    return services.feedback_create(author=author, project=on, body=body, **kwargs)


def requested(author: User, **kwargs) -> Project:
    """A published project whose author asked for a review."""
    p = project(author, feedback_wanted=True, **kwargs)
    return services.review_request(actor=author, project=p)


def reviewed(author: User, mentor: User, verdict: str = "looks_good", **kwargs) -> Review:
    p = requested(author, **kwargs)
    services.review_claim(mentor=mentor, project=p)
    return services.review_submit(
        mentor=mentor, project=p, verdict=verdict, works="Clear endpoints.", improve="Add tests."
    )
