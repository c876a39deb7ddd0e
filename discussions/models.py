from django.db import models


class Category(models.Model):
    """A topic of the program (Python, Django, ...). Admins manage them."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=240, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        indexes = [models.Index(fields=["position", "name"], name="discussions_category_order")]

    def __str__(self) -> str:
        return self.name
