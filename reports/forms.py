from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.text import PlainTextFormField


class BranchReportSubmitForm(forms.Form):
    note = PlainTextFormField(
        label=_("Note to head office (optional)"), required=False, max_length=2000
    )
