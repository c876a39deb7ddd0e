"""The settings page's webhook form (HTML input only; the rules live in the services)."""

from __future__ import annotations

from django import forms

from hub.links import LinkFormField
from webhooks.models import Event


class WebhookForm(forms.Form):
    url = LinkFormField(
        label="Payload URL",
        help_text="A public https:// address of yours; Nexus POSTs signed JSON to it.",
    )
    description = forms.CharField(
        max_length=100, required=False, help_text="What receives it, e.g. “my Discord bot”."
    )
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(Event.values),
        help_text="Only events on your own questions and projects are sent.",
    )
    active = forms.BooleanField(required=False, initial=True, label="Active")
