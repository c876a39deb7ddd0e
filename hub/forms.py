"""Form plumbing every app shares."""

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one,
    above the form otherwise. Services own the rules; forms only check shape."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
