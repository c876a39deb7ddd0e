from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Fills Nexus's own sign-up fields (handle, display name) on the new user."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.email = user.email.lower()
        user.handle = data["handle"]
        user.display_name = data.get("display_name", "")
        if commit:
            user.save()
        return user

    def clean_email(self, email: str) -> str:
        return super().clean_email(email).strip().lower()
