"""Every write to discussions."""

from django.db import transaction

from discussions.models import Category


@transaction.atomic
def category_ensure(*, slug: str, name: str, description: str = "", position: int = 0) -> Category:
    """Create a category, or bring an existing one with that slug up to date (idempotent)."""
    category, _ = Category.objects.update_or_create(
        slug=slug, defaults={"name": name, "description": description, "position": position}
    )
    return category
