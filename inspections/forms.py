from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from scoring.models import BusinessLine, RubricVersion
from scoring.text import PlainTextFormField

from .models import Branch, Finding, Office, ProcessLogEntry, User, Visit
from .models.ordering import branch_order, bytewise, office_order
from .params import ModelChoiceField, ModelMultipleChoiceField
from .workbooks import check_archive


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal (Django's dict form) beside the fields it names when
    the form has them, above the form otherwise."""
    for name, errors in error.update_error_dict({}).items():
        form.add_error(name if name in form.fields else None, errors)


class WorkbookField(forms.FileField):
    """An Excel workbook to import: at most IMPORT_MAX_FILE_BYTES, and a zip
    archive within the unpacking limits (`workbooks.check_archive`), judged by
    its content, not its name, before anything opens it."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload is None:
            return upload
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.IMPORT_MAX_FILE_BYTES // (1024 * 1024)}
            )
        check_archive(upload.read())
        upload.seek(0)
        return upload


class RosterUploadForm(forms.Form):
    branch = ModelChoiceField(queryset=Branch.objects.none(), label=_("Branch"))
    file = WorkbookField(
        label=_("Roster (Excel)"),
        help_text=_("表六 分公司岗位人员设置清单, filled in from the template."),
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        if branches.count() == 1:
            self.fields["branch"].initial = branches.first()


# --- campaigns -------------------------------------------------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    name = PlainTextFormField(label=_("Name"), max_length=200)
    rubric = ModelChoiceField(
        queryset=RubricVersion.objects.filter(status=RubricVersion.Status.PUBLISHED),
        label=_("Rubric version"),
    )
    period_start = forms.DateField(label=_("Period start"), widget=DATE_INPUT)
    period_end = forms.DateField(label=_("Period end"), widget=DATE_INPUT)
    report_due = forms.DateField(label=_("Report due date"), widget=DATE_INPUT)
    branches = ModelMultipleChoiceField(
        queryset=Branch.objects.order_by(*branch_order()),
        label=_("Branches in scope"),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        start, end, due = data.get("period_start"), data.get("period_end"), data.get("report_due")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        if start and due and due < start:
            self.add_error(
                "report_due", _("The report due date cannot be before the period starts.")
            )
        return data


class GradeBandsForm(forms.Form):
    """Grade bands as lines “A 85”, one per line."""

    bands = PlainTextFormField(
        label=_("Grade bands"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One band per line: grade and minimum percentage, e.g. “A 85”."),
    )

    def clean_bands(self):
        bands = []
        for number, line in enumerate(self.cleaned_data["bands"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                grade, minimum = parts[0], Decimal(parts[1])
            except (IndexError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line %(line)s: write a grade and a minimum percentage, e.g. “A 85”.")
                    % {"line": number}
                ) from None
            if len(parts) != 2 or not (0 <= minimum <= 100) or len(grade) > 5:
                raise forms.ValidationError(
                    _("Line %(line)s: write a grade and a minimum between 0 and 100.")
                    % {"line": number}
                )
            bands.append((grade, minimum))
        if not bands:
            raise forms.ValidationError(_("Give at least one band."))
        return bands


class ReasonForm(forms.Form):
    reason = PlainTextFormField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class KpiUploadForm(forms.Form):
    file = WorkbookField(label=_("KPI figures (Excel)"))


# --- visits ----------------------------------------------------------------


class VisitPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Visit.Kind.choices)
    branch = ModelChoiceField(queryset=Branch.objects.none(), label=_("Branch"))
    office = ModelChoiceField(
        queryset=Office.objects.none(),
        label=_("Office"),
        required=False,
        empty_label=_("— the branch itself —"),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("End date"), widget=DATE_INPUT)
    inspectors = ModelMultipleChoiceField(
        queryset=User.objects.none(), label=_("Inspectors"), widget=forms.CheckboxSelectMultiple
    )
    unannounced = forms.BooleanField(
        label=_("Unannounced (flying) check"),
        required=False,
        help_text=_(
            "Head-office checks only: the branch does not see the visit until its "
            "inspectors start it on site."
        ),
    )

    def __init__(self, *args, branches, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        if Visit.Kind.HEAD_OFFICE_CHECK not in kinds:
            # A branch plans its own self-inspections: nothing to keep from itself.
            del self.fields["unannounced"]
        self.fields["branch"].queryset = branches
        self.fields["office"].queryset = (
            Office.objects.filter(branch__in=branches, active=True)
            .select_related("branch")
            .order_by(*office_order())
        )
        self.fields["office"].label_from_instance = lambda o: f"{o.branch.name} · {o.name}"
        self.fields["kind"].choices = [c for c in Visit.Kind.choices if c[0] in kinds]
        self.fields["inspectors"].queryset = (
            User.objects.filter(role=User.Role.INSPECTOR, is_active=True)
            .filter(Q(branch__isnull=True) | Q(branch__in=branches))
            .order_by(F("branch__order").asc(nulls_first=True), "branch_id", bytewise("username"))
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("start_date")
            and data.get("end_date")
            and data["end_date"] < data["start_date"]
        ):
            self.add_error("end_date", _("The visit cannot end before it starts."))
        return data


class LogEntryForm(forms.ModelForm):
    class Meta:
        model = ProcessLogEntry
        fields = [
            "policy_no",
            "business_item",
            "operator",
            "minutes_document_review",
            "minutes_scanning",
            "minutes_data_entry",
            "remarks",
        ]
        widgets = {"remarks": forms.TextInput()}

    def __init__(self, *args, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = specialists


class SpecialistDrawForm(forms.Form):
    size = forms.IntegerField(label=_("How many"), min_value=1, max_value=20, initial=3)
    reason = PlainTextFormField(label=_("Reason for redrawing"), required=False)


class NewSheetForm(forms.Form):
    sheet = ModelChoiceField(queryset=None, label=_("Sheet"))
    specialist = ModelChoiceField(queryset=None, label=_("Specialist"))

    def __init__(self, *args, sheets, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].queryset = sheets
        self.fields["sheet"].label_from_instance = lambda s: f"{s.table_label} {s.name}"
        self.fields["specialist"].queryset = specialists

    def clean(self):
        data = super().clean()
        sheet, person = data.get("sheet"), data.get("specialist")
        if sheet and person:
            reason = person.ineligibility_reason(sheet.business_line)
            if reason:
                self.add_error("specialist", reason)
        return data


class ChecklistForm(forms.Form):
    """Yes/no per requirement with a remark; the engine insists on a remark for every no."""

    # The version the page was opened at; 0 for a checklist not saved yet.
    version = forms.IntegerField(required=False, min_value=0, initial=0, widget=forms.HiddenInput)

    def __init__(self, *args, requirements, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirements = requirements
        for requirement in requirements:
            self.fields[f"answer-{requirement.key}"] = forms.TypedChoiceField(
                label=requirement.text,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                required=False,
                coerce=str,
            )
            self.fields[f"remark-{requirement.key}"] = PlainTextFormField(
                label=_("Remark"), required=False, max_length=1000
            )

    def rows(self):
        return [(r, self[f"answer-{r.key}"], self[f"remark-{r.key}"]) for r in self.requirements]

    def answers(self) -> dict:
        result = {}
        for r in self.requirements:
            value = self.cleaned_data.get(f"answer-{r.key}") or ""
            result[r.key] = {
                "compliant": {"yes": True, "no": False}.get(value),
                "remark": self.cleaned_data.get(f"remark-{r.key}", ""),
            }
        return result

    @staticmethod
    def initial_from(answers: dict, version: int = 0) -> dict:
        initial = {"version": version}
        for key, value in (answers or {}).items():
            compliant = value.get("compliant")
            initial[f"answer-{key}"] = {True: "yes", False: "no"}.get(compliant, "")
            initial[f"remark-{key}"] = value.get("remark", "")
        return initial


class KpiNoteForm(forms.Form):
    note = PlainTextFormField(
        label=_(
            "How the branch monitors the two KPIs, and what was discussed of head office's figures"
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class InterviewForm(forms.Form):
    interviewee = PlainTextFormField(label=_("Interviewee"), max_length=50)
    post = PlainTextFormField(label=_("Post"), max_length=50)
    notes = PlainTextFormField(
        label=_("Extra notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        tags = [
            ("", _("—")),
            ("problem", _("Problem raised")),
            ("support", _("Support asked of head office")),
        ]
        for q in self.questions:
            if q.is_yes_no:
                self.fields[f"q{q.pk}-yes_no"] = forms.TypedChoiceField(
                    label=q.text,
                    choices=[("yes", _("Yes")), ("no", _("No"))],
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    required=False,
                )
            self.fields[f"q{q.pk}-text"] = PlainTextFormField(
                label=q.text, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"q{q.pk}-tag"] = forms.ChoiceField(
                label=_("Tag"), choices=tags, required=False, initial=q.tag
            )

    def rows(self):
        return [
            (
                q,
                self[f"q{q.pk}-yes_no"] if q.is_yes_no else None,
                self[f"q{q.pk}-text"],
                self[f"q{q.pk}-tag"],
            )
            for q in self.questions
        ]

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            q.pk: {
                "yes_no": {"yes": True, "no": False}.get(data.get(f"q{q.pk}-yes_no") or ""),
                "text": data.get(f"q{q.pk}-text", ""),
                "tag": data.get(f"q{q.pk}-tag", ""),
            }
            for q in self.questions
        }

    @staticmethod
    def initial_from(interview) -> dict:
        initial = {
            "interviewee": interview.interviewee,
            "post": interview.post,
            "notes": interview.notes,
        }
        for answer in interview.answers.all():
            q = answer.question_id
            initial[f"q{q}-yes_no"] = {True: "yes", False: "no"}.get(answer.yes_no, "")
            initial[f"q{q}-text"] = answer.text
            initial[f"q{q}-tag"] = answer.tag
        return initial


class FindingForm(forms.Form):
    content_area = ModelChoiceField(queryset=None, label=_("Content area"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Finding.Kind.choices)
    text = PlainTextFormField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_area"].queryset = areas


class ActionForm(forms.Form):
    content_area = ModelChoiceField(queryset=None, label=_("Content area"))
    description = PlainTextFormField(
        label=_("What to fix"), widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible_office = ModelChoiceField(
        queryset=None,
        label=_("Responsible office"),
        required=False,
        empty_label=_("— the branch itself —"),
    )
    responsible_person = PlainTextFormField(label=_("Responsible person"), max_length=50)
    owner = ModelChoiceField(queryset=None, label=_("Owner (user)"), required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)

    def __init__(self, *args, areas, offices, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_area"].queryset = areas
        self.fields["responsible_office"].queryset = offices
        self.fields["owner"].queryset = owners


class LineWaiverForm(forms.Form):
    business_line = forms.ChoiceField(choices=BusinessLine.choices)
    reason = PlainTextFormField(
        label=_("Why there is no sheet for this line"), required=False, max_length=500
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
    comment = PlainTextFormField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what must be corrected when returning a visit."))
        return data


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Photo or file"))
    caption = PlainTextFormField(label=_("Caption"), required=False, max_length=200)
    target = PlainTextFormField(widget=forms.HiddenInput, required=False)
    item_key = PlainTextFormField(widget=forms.HiddenInput, required=False)


class SheetEvidenceForm(forms.Form):
    """A photo taken from a sheet item's row, saved sheet or not."""

    file = forms.FileField(label=_("Photo or file"))
    specialist = ModelChoiceField(queryset=None, label=_("Specialist"))
    item_key = PlainTextFormField(required=False, max_length=50)

    def __init__(self, *args, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialist"].queryset = specialists


class BranchReportSubmitForm(forms.Form):
    note = PlainTextFormField(
        label=_("Note to head office (optional)"), required=False, max_length=2000
    )
