"""Forms of the rectification action pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.text import PlainTextFormField

from .forms import DATE_INPUT
from .models import RectificationAction
from .params import ModelChoiceField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Not closed")),
            *list(RectificationAction.Status.choices),
        ],
    )
    office = ModelChoiceField(queryset=None, label=_("Office"), required=False)
    campaign = ModelChoiceField(queryset=None, label=_("Campaign"), required=False)
    area = forms.ChoiceField(label=_("Content area"), required=False)
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("overdue", _("Overdue")),
            ("7", _("Within 7 days")),
            ("30", _("Within 30 days")),
        ],
    )

    def __init__(self, *args, offices, campaigns, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["campaign"].queryset = campaigns
        self.fields["area"].choices = [("", _("All")), *list(areas)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data.get("status"),
            "office": data["office"].pk if data.get("office") else None,
            "campaign": data["campaign"].pk if data.get("campaign") else None,
            "area": data.get("area"),
            "due": data.get("due"),
        }


class ProgressForm(forms.Form):
    note = PlainTextFormField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write what was done.")},
    )
    files = MultipleFileField(label=_("Files (images, PDF, Office documents)"))


class SubmitForm(forms.Form):
    text = PlainTextFormField(
        label=_("Evidence that it is fixed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe the evidence that the shortcoming is fixed.")},
    )
    files = MultipleFileField(label=_("Files (images, PDF, Office documents)"))


class VerifyForm(forms.Form):
    decision = forms.ChoiceField(choices=[("close", _("Close")), ("reopen", _("Reopen"))])
    comment = PlainTextFormField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reopen" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the action is reopened."))
        return data


class ExtensionRequestForm(forms.Form):
    new_deadline = forms.DateField(
        label=_("New deadline"),
        widget=DATE_INPUT,
        error_messages={"required": _("Give a new deadline and a reason.")},
    )
    reason = PlainTextFormField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a new deadline and a reason.")},
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        error_messages={
            "required": _("Choose to approve or to refuse."),
            "invalid_choice": _("Choose to approve or to refuse."),
        },
    )
    comment = PlainTextFormField(label=_("Comment"), required=False)
