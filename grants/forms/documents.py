"""Attaching a document: what it is, a title, and the file (checked by the service, grants.uploads)."""

from django import forms
from django.conf import settings

from grants import uploads
from grants.models.documents import DocumentKind

from .base import BaseForm
from .fields import text


class DocumentForm(BaseForm):
    kind = forms.ChoiceField(label="What it is", widget=forms.Select(attrs={"radios": True}),
                             error_messages={"required": "Choose what kind of document this is.",
                                             "invalid_choice": "Choose what kind of document this is from the list."})
    title = text("Title", "a title", required=False, max_length=200,
                 help_text="For example “Signed grant agreement 2024-25”. Leave it blank to use the file's name.")
    file = forms.FileField(
        label="File", allow_empty_file=True,
        help_text=f"{uploads.ALLOWED_TEXT[0].upper()}{uploads.ALLOWED_TEXT[1:]}. The file is checked: its name "
                  "must say what it is.",
        error_messages={"required": "Choose a file to attach.", "invalid": "Choose a file to attach.",
                        "missing": "Choose a file to attach."},
    )

    service_fields = ("kind", "title", "file")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, DocumentKind(kind).label) for kind in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        largest = settings.DOCUMENT_MAX_BYTES / 1024 / 1024
        self.fields["file"].help_text += f" The largest file you can attach is {largest:.0f} MB."
