from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.models import Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["handle", "email", "display_name", "role", "cohort", "track", "date_joined"]
    list_filter = ["role", "track", "is_active"]
    search_fields = ["handle", "email", "display_name"]
    readonly_fields = ["date_joined", "last_login", "is_staff", "is_superuser"]
    fieldsets = [
        (None, {"fields": ["email", "handle", "password"]}),
        ("Profile", {"fields": ["display_name", "bio", "github", "website", "cohort", "track"]}),
        ("Role", {"fields": ["role", "is_active", "is_staff", "is_superuser"]}),
        ("Suspension", {"fields": ["suspended_until", "suspension_reason"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "handle", "password1", "password2"]})]
    actions = ["make_mentor", "make_learner"]

    def save_model(self, request, obj, form, change):
        role = obj.role
        if change and "role" in form.changed_data:
            obj.role = form.initial["role"]
            super().save_model(request, obj, form, change)
            services.user_role_set(actor=request.user, user=obj, role=role)
        else:
            super().save_model(request, obj, form, change)

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
