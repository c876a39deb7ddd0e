"""HTML input for projects. Shape only: projects.services owns the rules, and its
ValidationErrors land on these fields. The link fields apply the one link rule
(hub.links) themselves too, so the message is the same from the form and the service."""

from django import forms

from accounts.models import Track
from hub.links import LinkFormField
from projects.models import Verdict

MARKDOWN_HELP = "Markdown: **bold**, `code`, ```fenced blocks```, [links](https://…)."


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=120, help_text="e.g. “Bookshelf: a DRF API for a library”")
    pitch = forms.CharField(max_length=160, help_text="One line: what it is, and for whom.")
    repository_url = LinkFormField(
        label="Repository URL",
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/you/project"}),
    )
    demo_url = LinkFormField(
        label="Live demo URL",
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    docs_url = LinkFormField(
        label="API docs URL",
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    description = forms.CharField(
        required=False,
        max_length=20_000,
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 10, "data-markdown-editor": ""}),
    )
    tags = forms.CharField(
        required=False,
        max_length=200,
        help_text="Up to 8, e.g. django drf docker celery.",
        widget=forms.TextInput(attrs={"list": "stack-tags", "autocomplete": "off"}),
    )
    cohort = forms.CharField(required=False, max_length=40)
    track = forms.ChoiceField(required=False, choices=[("", "—"), *Track.choices])
    feedback_wanted = forms.BooleanField(required=False, label="I'd like feedback")
    feedback_note = forms.CharField(
        required=False,
        max_length=300,
        label="What feedback would help",
        help_text="e.g. “Is my data model right for many-to-many tags?”",
    )


class FeedbackForm(forms.Form):
    body = forms.CharField(
        max_length=5000,
        label="Feedback",
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 3, "data-markdown-editor": ""}),
    )
    # A reply names the feedback it answers; anything but an id is "No such feedback".
    parent = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": "No such feedback.", "min_value": "No such feedback."},
    )


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices, widget=forms.RadioSelect)
    works = forms.CharField(
        required=False, label="What works", widget=forms.Textarea(attrs={"rows": 3})
    )
    improve = forms.CharField(
        required=False, label="What to improve", widget=forms.Textarea(attrs={"rows": 3})
    )
    notes_api_design = forms.CharField(
        required=False, label="API design", widget=forms.Textarea(attrs={"rows": 2})
    )
    notes_data_model = forms.CharField(
        required=False, label="Data model", widget=forms.Textarea(attrs={"rows": 2})
    )
    notes_tests = forms.CharField(
        required=False, label="Tests", widget=forms.Textarea(attrs={"rows": 2})
    )
    notes_deployment = forms.CharField(
        required=False, label="Deployment", widget=forms.Textarea(attrs={"rows": 2})
    )
