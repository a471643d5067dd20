"""The addressee's answer on the portal: text and documents (the documents are checked by agencies.documents)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.services import ANSWER_LIMIT


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), required=False, max_length=ANSWER_LIMIT)
    documents = forms.FileField(required=False)  # many files: read from request.FILES
