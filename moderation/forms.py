"""HTML input for moderation. Shape only: the services own the rules."""

from django import forms

from discussions.models import Category
from moderation.models import REASON_MAX, SAVED_REPLY_MAX, FlagReason


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        choices=FlagReason.choices, widget=forms.RadioSelect, label="What is wrong?"
    )
    detail = forms.CharField(
        required=False,
        max_length=REASON_MAX,
        label="Details",
        help_text="For a duplicate, the link of the original question; for something else, "
        "a few words for the mentors.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=REASON_MAX, label="Reason")


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        label="Move to",
        error_messages={
            "required": "Choose the topic to move it to.",
            "invalid_choice": "Choose the topic to move it to.",
        },
    )
    reason = forms.CharField(required=False, max_length=REASON_MAX, label="Reason")


class DuplicateForm(forms.Form):
    original = forms.CharField(
        max_length=300,
        label="Original question",
        help_text="Its link or its number.",
        error_messages={"required": "Give the link or number of the original question."},
    )
    reason = forms.CharField(required=False, max_length=REASON_MAX, label="Reason")


class SuspendForm(forms.Form):
    until = forms.DateTimeField(
        label="Suspended until",
        help_text="UTC. The suspension ends by itself then.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    reason = forms.CharField(max_length=REASON_MAX, label="Reason (the person sees it)")


class MentorNoteForm(forms.Form):
    # No rules here: moderation.services.mentor_note_add owns them (empty, too long).
    body = forms.CharField(
        required=False,
        label="Note for mentors",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "I'll take this one…"}),
    )


class SavedReplyForm(forms.Form):
    title = forms.CharField(max_length=80, label="Name")
    body = forms.CharField(
        max_length=SAVED_REPLY_MAX,
        label="Reply",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown, inserted into an answer or a comment as it is.",
    )
