"""Forms of the objection pages: a branch's objection and head office's review."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.text import PlainTextFormField

from .action_forms import MultipleFileField
from .objection_targets import COMPLIANT, NON_COMPLIANT, value_label


class ObjectionForm(forms.Form):
    target = forms.ChoiceField(
        label=_("Item objected to"),
        error_messages={
            "required": _("Choose the item you object to."),
            "invalid_choice": _("Choose the item you object to."),
        },
    )
    grounds = PlainTextFormField(
        label=_("Grounds"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the result is wrong, and what it should have been."),
        error_messages={"required": _("Say in writing why the result is wrong.")},
    )
    files = MultipleFileField(
        label=_("Evidence (images, PDF, Office documents)"),
        help_text=_("At least one file."),
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—")] + [
            (t.key, f"{t.label}（{value_label(t.value)}）") for t in targets
        ]


class ObjectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold: correct the result")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose to uphold or to reject."),
            "invalid_choice": _("Choose to uphold or to reject."),
        },
    )
    corrected_value = forms.CharField(
        label=_("Corrected result"),
        required=False,
        max_length=20,
        help_text=_("When upheld: the corrected points, or compliant / non-compliant."),
    )
    reason = PlainTextFormField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the decision.")},
    )

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, **kwargs)
        if target is not None and not target.is_points:
            self.fields["corrected_value"] = forms.ChoiceField(
                label=_("Corrected result"),
                required=False,
                choices=[
                    ("", "—"),
                    (COMPLIANT, value_label(COMPLIANT)),
                    (NON_COMPLIANT, value_label(NON_COMPLIANT)),
                ],
            )
        elif target is not None:
            self.fields["corrected_value"].widget = forms.TextInput(
                attrs={"inputmode": "decimal", "placeholder": f"0–{target.maximum.normalize():f}"}
            )
