from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html

from accounts import services
from accounts.models import ApiToken, Role, User
from hub import live


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["handle", "email", "display_name", "role", "cohort", "track", "date_joined"]
    list_filter = ["role", "track", "is_active"]
    search_fields = ["handle", "email", "display_name"]
    # A suspension writes a log entry and tells the person why (the suspension service,
    # behind the profile's "Suspend"): here it is shown, never edited.
    readonly_fields = [
        "date_joined",
        "last_login",
        "is_staff",
        "is_superuser",
        "suspended_until",
        "suspension_reason",
        "suspension_flow",
    ]
    fieldsets = [
        (None, {"fields": ["email", "handle", "password"]}),
        ("Profile", {"fields": ["display_name", "bio", "github", "website", "cohort", "track"]}),
        ("Role", {"fields": ["role", "is_active", "is_staff", "is_superuser"]}),
        (
            "Suspension",
            {"fields": ["suspended_until", "suspension_reason", "suspension_flow"]},
        ),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "handle", "password1", "password2"]})]
    actions = ["make_mentor", "make_learner"]

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data:
            # A deactivated (or suspended) account's open sockets re-check and close.
            live.access_changed_on_commit(obj.pk)
        role = obj.role
        if change and "role" in form.changed_data:
            obj.role = form.initial["role"]
            super().save_model(request, obj, form, change)
            services.user_role_set(actor=request.user, user=obj, role=role)
        else:
            super().save_model(request, obj, form, change)

    @admin.display(description="Suspend or lift")
    def suspension_flow(self, obj: User) -> str:
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}#suspension">On the profile page</a> (logged, and the person is told why)',
            obj.get_absolute_url(),
        )

    def _set_role(self, request, queryset, role: str) -> None:
        done = 0
        for user in queryset:
            try:
                services.user_role_set(actor=request.user, user=user, role=role)
                done += 1
            except PermissionDenied as error:
                self.message_user(request, f"{user}: {error}", messages.ERROR)
        self.message_user(request, f"{done} account(s) are now {Role(role).label.lower()}s.")

    @admin.action(description="Grant the mentor role")
    def make_mentor(self, request, queryset):
        self._set_role(request, queryset, Role.MENTOR)

    @admin.action(description="Set back to learner")
    def make_learner(self, request, queryset):
        self._set_role(request, queryset, Role.LEARNER)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are made and revoked by their owners (settings page) or
    `token_revoke`. The digest is never shown."""

    list_display = ["name", "user", "prefix", "scopes", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__handle", "prefix"]
    fields = ["user", "name", "prefix", "scopes", "created_at", "last_used_at", "expires_at",
              "revoked_at"]  # fmt: skip
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            services.token_revoke(actor=request.user, token=token)
        self.message_user(request, f"{queryset.count()} token(s) revoked.")
