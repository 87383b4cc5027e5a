from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Branch


class RosterUploadForm(forms.Form):
    branch = forms.ModelChoiceField(queryset=Branch.objects.none(), label=_("Branch"))
    file = forms.FileField(
        label=_("Roster (.xlsx)"),
        help_text=_("表六 分公司岗位人员设置清单, filled in from the template."),
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        if branches.count() == 1:
            self.fields["branch"].initial = branches.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.ROSTER_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.ROSTER_MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        head = upload.read(4)
        upload.seek(0)
        # An .xlsx is a zip archive: check the content, not the name.
        if head != b"PK\x03\x04":
            raise forms.ValidationError(
                _("The file is not an Excel workbook (.xlsx). Download the template and fill it in.")
            )
        return upload
