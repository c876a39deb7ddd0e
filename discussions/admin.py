from django.contrib import admin

from discussions.models import Category
from hub import cache


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        cache.version_bump("site")  # the cached sidebars (discussions.selectors.category_list)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        cache.version_bump("site")

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        cache.version_bump("site")
