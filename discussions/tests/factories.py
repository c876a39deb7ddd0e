"""Discussion content made through the services, so tests see what users would make."""

from itertools import count

from accounts.models import User
from discussions import services
from discussions.models import Answer, Category, Comment, Question

_serial = count(1)


def category(slug: str = "django", name: str = "Django") -> Category:
    return services.category_ensure(slug=slug, name=name)


def question(
    author: User,
    *,
    title: str | None = None,
    body: str = "I tried `manage.py migrate` and it fails.\n\n```python\nprint('hi')\n```",
    cat: Category | None = None,
    tags: str = "django orm",
) -> Question:
    return services.question_create(
        author=author,
        title=title or f"How do I fix migration number {next(_serial)} in Django?",
        body=body,
        category=cat or category(),
        tags=tags,
    )


def answer(author: User, on: Question, body: str = "Run `makemigrations` first.") -> Answer:
    return services.answer_create(author=author, question=on, body=body)


def comment(author: User, body: str = "Which version?", **on) -> Comment:
    return services.comment_create(author=author, body=body, **on)
