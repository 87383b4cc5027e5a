"""Forms of the problem register's pages. Each change posts the version the
page showed (`services.problems`: a change made since is refused)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.text import PlainTextFormField

from . import access, selectors
from .forms import DATE_INPUT
from .models import RaisedProblem
from .params import ModelChoiceField

VERSION_ERRORS = {
    "required": _("The page is incomplete: reload it and try again."),
    "invalid": _("The page is incomplete: reload it and try again."),
}


class ProblemFilterForm(forms.Form):
    """The list's filters; the Excel download reads the same query string."""

    campaign = ModelChoiceField(queryset=None, label=_("Campaign"), required=False)
    branch = ModelChoiceField(queryset=None, label=_("Branch"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All")), *RaisedProblem.Kind.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("not_closed", _("Not closed")), *RaisedProblem.Status.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, campaigns, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["branch"].queryset = branches
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-check-input" if name == "overdue" else "form-select form-select-sm"
            )

    def filters(self) -> dict:
        """The valid filters; none when any is invalid (the list shows all, with errors)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "campaign": data["campaign"].pk if data.get("campaign") else None,
            "branch": data["branch"].pk if data.get("branch") else None,
            "kind": data.get("kind"),
            "status": data.get("status"),
            "overdue": data.get("overdue"),
        }


def filter_form(*, user, data) -> ProblemFilterForm:
    """The list's filters over what the user may see (the Excel download's too)."""
    return ProblemFilterForm(
        data or None,
        campaigns=selectors.visible_campaigns(user=user),
        branches=access.visible_branches(user).order_by("code"),
    )


class ResponseForm(forms.Form):
    response = PlainTextFormField(
        label=_("Response"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the response.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("close", _("Close")), ("reopen", _("Reopen"))],
        error_messages={
            "required": _("Choose to close or to reopen."),
            "invalid_choice": _("Choose to close or to reopen."),
        },
    )
    comment = PlainTextFormField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)


class ReassignForm(forms.Form):
    owner = ModelChoiceField(
        queryset=None,
        label=_("Owner"),
        error_messages={
            "required": _("Choose the entry's owner."),
            "invalid_choice": _("Choose the entry's owner from the list."),
        },
    )
    deadline = forms.DateField(
        label=_("Respond by"),
        widget=DATE_INPUT,
        error_messages={"required": _("Give a due date.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
