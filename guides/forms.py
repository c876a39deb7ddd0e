"""HTML input for the guide: shape only; the services own the rules."""

from django import forms

from guides.models import NOTE_MAX, SECTION_BODY_MAX, SECTION_TITLE_MAX

_INPUT = {"class": "input"}


class SectionForm(forms.Form):
    title = forms.CharField(max_length=SECTION_TITLE_MAX, widget=forms.TextInput(attrs=_INPUT))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18, "class": "input textarea"}),
        max_length=SECTION_BODY_MAX,
        label="Text (Markdown)",
    )
    versions = forms.CharField(
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=_INPUT),
        help_text="What it applies to, comma-separated: “Django 6.1, DRF 3.18”.",
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        label="What changed and why",
        widget=forms.TextInput(attrs=_INPUT),
    )


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=SECTION_TITLE_MAX, widget=forms.TextInput(attrs=_INPUT))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18, "class": "input textarea"}),
        max_length=SECTION_BODY_MAX,
        label="Text (Markdown)",
    )
    note = forms.CharField(
        max_length=NOTE_MAX, label="What you changed and why", widget=forms.TextInput(attrs=_INPUT)
    )


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=NOTE_MAX)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        max_length=NOTE_MAX, error_messages={"required": "Give a reason: the proposer reads it."}
    )


class HelpfulForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")])
    note = forms.CharField(required=False, max_length=NOTE_MAX, label="What was missing?")


class PromoteForm(forms.Form):
    """Where an accepted answer goes: `s<id>` appends to a section, `g<id>` starts one."""

    target = forms.CharField(max_length=20, label="Add it to")
    title = forms.CharField(
        required=False, max_length=SECTION_TITLE_MAX, label="New section's title"
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "class": "input textarea"}),
        max_length=SECTION_BODY_MAX,
        label="Text for the guide (edit before publishing)",
    )
    note = forms.CharField(required=False, max_length=NOTE_MAX)


class CloseForm(forms.Form):
    section = forms.IntegerField(
        label="Section", error_messages={"required": "Choose the section that answers it."}
    )
    reason = forms.CharField(required=False, max_length=NOTE_MAX)
