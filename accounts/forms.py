from django import forms
from django.core.exceptions import ValidationError

from accounts.models import TokenScope, User
from accounts.services import handle_validate


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form adds to email + password (ACCOUNT_SIGNUP_FORM_CLASS)."""

    handle = forms.CharField(
        max_length=30,
        help_text=(
            "Your public name in URLs and @mentions: 3 to 30 lower-case letters, digits, - or _."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        max_length=60,
        required=False,
        label="Display name",
        help_text="How your name is shown, e.g. Ada Lovelace.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["email", "handle", "display_name", "password1", "password2"]

    def clean_handle(self) -> str:
        try:
            return handle_validate(handle=self.cleaned_data["handle"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error

    def signup(self, request, user: User) -> None:
        """allauth calls this after saving the user. The account adapter has set these
        fields already on an email sign-up; a GitHub sign-up arrives here without them."""
        handle, display_name = self.cleaned_data["handle"], self.cleaned_data["display_name"]
        if (user.handle, user.display_name) != (handle, display_name):
            user.handle, user.display_name = handle, display_name
            user.save(update_fields=["handle", "display_name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "bio", "github", "website", "cohort", "track"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "website": forms.URLInput(attrs={"placeholder": "https://"}),
        }
        help_texts = {
            "bio": "A line or two about you and what you are building.",
            "github": "Just the user name, e.g. octocat.",
        }


class TokenForm(forms.Form):
    """Make a personal access token (settings page). Rules live in `token_create`."""

    EXPIRY_DAYS = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never")]

    name = forms.CharField(
        max_length=60,
        help_text="What will use it, e.g. “my React client”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scopes = forms.MultipleChoiceField(
        choices=[
            (TokenScope.WRITE, "Write: ask, answer, comment, vote, post projects"),
            (TokenScope.MODERATE, "Moderate: the mentors' queue and tools"),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every token can read what you can read.",
    )
    expires_in = forms.ChoiceField(choices=EXPIRY_DAYS, initial="90", required=False,
                                   label="Expires")  # fmt: skip

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not user.is_mentor:
            self.fields["scopes"].choices = self.fields["scopes"].choices[:1]
