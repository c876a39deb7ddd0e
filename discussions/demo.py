"""The program's topics, as categories."""

from discussions.models import Category
from discussions.services import category_ensure

CATEGORIES = [
    ("python", "Python", "The language itself: syntax, typing, packaging, the standard library."),
    (
        "django",
        "Django",
        "Models, views, templates, the ORM, admin, settings and the request cycle.",
    ),
    ("rest-apis", "REST APIs", "Django REST Framework, serializers, auth, pagination, API design."),
    ("graphql", "GraphQL", "Schemas, resolvers, strawberry, N+1 and dataloaders."),
    ("docker", "Docker", "Images, Dockerfiles, Compose, volumes and networking."),
    ("ci-cd", "CI/CD", "GitHub Actions, tests in CI, deployments and release pipelines."),
    ("databases", "Databases", "PostgreSQL, schema design, indexes, migrations and query plans."),
    ("async-tasks", "Async tasks (Celery/RabbitMQ)", "Celery workers, RabbitMQ, retries, beat."),
    ("caching", "Caching (Redis)", "Redis, Django's cache framework, invalidation, rate limits."),
    ("career", "Career & general", "Interviews, portfolios, learning plans and everything else."),
]


def seed_categories() -> list[Category]:
    return [
        category_ensure(slug=slug, name=name, description=description, position=index)
        for index, (slug, name, description) in enumerate(CATEGORIES)
    ]
