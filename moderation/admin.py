"""The moderation log in the Django admin, read-only: entries are written by the services
alone and never edited (mentors use /mod/log/; this is for operators)."""

from django.contrib import admin

from moderation.models import LogEntry


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_kind", "target_label", "target_user"]
    list_filter = ["action", "target_kind"]
    search_fields = ["target_label", "reason", "actor__handle", "target_user__handle"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "target_user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
