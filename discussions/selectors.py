from django.db.models import QuerySet

from discussions.models import Category


def category_list() -> QuerySet[Category]:
    return Category.objects.all()
