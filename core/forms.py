"""Helpers every app's forms share."""

from django import forms


def form_errors(form: forms.Form) -> str:
    """A form's errors as one line a user reads."""
    return " ".join(str(message) for messages in form.errors.values() for message in messages)
