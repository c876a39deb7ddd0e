from allauth.account.adapter import DefaultAccountAdapter

# Set in the session of an account's very first sign-in (after sign-up, or after the
# confirmation link when verification is mandatory): the home page greets "Welcome to
# Nexus" there and "Welcome back" in every later session.
FIRST_SESSION_KEY = "nexus_first_session"  # read by templates/hub/home.html


class AccountAdapter(DefaultAccountAdapter):
    """Fills Nexus's own sign-up fields (handle, display name) on the new user, and marks
    an account's first session."""

    def login(self, request, user):
        first = user.last_login is None  # Django sets it on this very sign-in
        super().login(request, user)
        if first:
            request.session[FIRST_SESSION_KEY] = True

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
