from django.contrib import admin

from webhooks.models import Delivery, Webhook


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Read-only: a webhook is its owner's (changed through webhooks.services)."""

    list_display = ("url", "owner", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "owner__handle")
    exclude = ("secret",)
    readonly_fields = ("owner", "url", "description", "events", "active", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("uuid", "webhook", "event", "state", "response_code", "attempts", "created_at")
    list_select_related = ("webhook",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
