"""The crime data upload form."""

from django import forms
from django.core.exceptions import ValidationError

from .importer import ImportRefused, check_header

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a full Met month is 18–25 MB


class ImportCrimesForm(forms.Form):
    file = forms.FileField(
        label="Upload a crime data file",
        help_text="A data.police.uk street-level crime or outcomes CSV file, or a local weekly "
        "extract. The file must be smaller than 50 MB.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={"required": "Select a CSV file", "empty": "The selected file is empty"},
    )
    max_upload_bytes = MAX_UPLOAD_BYTES

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_upload_bytes:
            limit = self.max_upload_bytes // (1024 * 1024)
            raise ValidationError(f"The selected file must be smaller than {limit} MB")
        if not upload.name.lower().endswith(".csv"):
            raise ValidationError("The selected file must be a CSV file (ending .csv)")
        try:
            # The browser's content type says little; the first line says what the file is.
            check_header(upload.file, upload.name)
        except ImportRefused as refusal:
            raise ValidationError(str(refusal)) from None
        return upload
