"""Admin forms for rubrics: inline formsets that check a parent form together
with its inline children before anything is saved (the rules themselves are
in `scoring.rubric_rules`), the rubric version form that refuses to publish a
version whose totals do not add up, and the form that names a copy."""

import datetime
import re

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from . import rubric_rules as rules
from .models import RubricVersion
from .rubric_io import rubric_problems
from .text import PlainTextFormField, validate_plain_text


class ChildrenFormSet(BaseInlineFormSet):
    """An inline formset whose children, taken together, must fit the parent."""

    def kept_forms(self):
        """The forms that will be saved: not empty extras, not marked for deletion."""
        for form in self.forms:
            if not getattr(form, "cleaned_data", None):
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            yield form

    def value(self, form, name):
        if name in form.cleaned_data:
            return form.cleaned_data[name]
        return getattr(form.instance, name)

    def problems(self) -> list[str]:
        raise NotImplementedError

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        problems = self.problems()
        if problems:
            raise ValidationError([ValidationError(str(p)) for p in problems])


class ItemFormSet(ChildrenFormSet):
    """The items of a section against the section's scoring kind and max."""

    def problems(self):
        section = self.instance
        if not section.scoring:
            return []  # the section form itself is invalid and says so
        problems = rules.section_problems(
            name=section.name,
            scoring=section.scoring,
            max_points=section.max_points,
            not_applicable_rule=section.not_applicable_rule,
            items=[
                rules.ItemValues(self.value(f, "points"), bool(self.value(f, "is_notice_kind")))
                for f in self.kept_forms()
            ],
            exempt_servicing_items=section.exempt_servicing_items or (),
        )
        try:
            sheet = section.part.sheet
        except ObjectDoesNotExist:
            return problems
        return problems + rules.exempt_servicing_item_problems(
            name=section.name,
            exempt_servicing_items=section.exempt_servicing_items or (),
            servicing_items=sheet.servicing_items or (),
        )


class SectionFormSet(ChildrenFormSet):
    """The sections of a part against the part's total."""

    def problems(self):
        part = self.instance
        try:
            sheet = part.sheet
        except ObjectDoesNotExist:
            return []
        return rules.part_problems(
            name=part.name,
            sheet_kind=sheet.kind,
            total_points=part.total_points,
            sections=[
                rules.SectionValues(
                    self.value(f, "name"), self.value(f, "scoring"), self.value(f, "max_points")
                )
                for f in self.kept_forms()
            ],
        )


class PartFormSet(ChildrenFormSet):
    """The parts of a sheet against the sheet's grouping and total."""

    def problems(self):
        sheet = self.instance
        if not sheet.kind:
            return []
        return rules.sheet_problems(
            sheet=str(sheet),
            kind=sheet.kind,
            grouping=sheet.grouping,
            total_points=sheet.total_points,
            business_line=sheet.business_line,
            parts=[
                rules.PartValues(
                    self.value(f, "name"),
                    self.value(f, "total_points"),
                    bool(self.value(f, "is_preferred_alternative")),
                )
                for f in self.kept_forms()
            ],
        )


class RubricVersionForm(forms.ModelForm):
    """Publishing needs every total of the version to add up."""

    class Meta:
        model = RubricVersion
        fields = ["name", "version", "status", "effective_date", "notes"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") != RubricVersion.Status.PUBLISHED:
            return cleaned
        if self.instance.pk is None:
            self.add_error(
                "status",
                _("Save the version as a draft first, add its sheets, then publish it."),
            )
            return cleaned
        problems = rubric_problems(self.instance)
        if problems:
            self.add_error(
                "status",
                [_("It cannot be published while its totals do not add up:")]
                + [f"{p.label}: {p.message}" for p in problems],
            )
        return cleaned


def _a_year_later(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class CopyRubricForm(forms.Form):
    """The code, name and effective date of a draft copy of `source`.

    When the source's code is a year ("2012"), the next year is suggested: code
    "2013", the name with 2012 replaced, the same day a year later.
    """

    new_version = forms.CharField(
        label=_("code of the new version"),
        max_length=50,
        validators=[validate_plain_text],
        help_text=_("For example 2013. Every rubric version has a code of its own."),
    )
    name = PlainTextFormField(label=_("name of the new version"), max_length=200)
    effective_date = forms.DateField(label=_("effective date"), widget=widgets.AdminDateWidget())

    def __init__(self, *args, source: RubricVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.fields["effective_date"].initial = _a_year_later(source.effective_date)
        if re.fullmatch(r"\d{4}", source.version):
            next_year = str(int(source.version) + 1)
            if not RubricVersion.objects.filter(version=next_year).exists():
                self.fields["new_version"].initial = next_year
                self.fields["name"].initial = source.name.replace(source.version, next_year)

    def clean_new_version(self):
        version = self.cleaned_data["new_version"]
        if RubricVersion.objects.filter(version=version).exists():
            raise ValidationError(
                _("A rubric version with the code “%(version)s” exists already."),
                code="taken",
                params={"version": version},
            )
        return version

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name == self.source.name:
            raise ValidationError(
                _("Give the copy a name of its own: “%(name)s” is the name of the version copied."),
                code="same_name",
                params={"name": name},
            )
        return name


class CompareRubricsForm(forms.Form):
    """Two different rubric versions to compare (sent by GET)."""

    before = forms.ModelChoiceField(
        label=_("earlier version"), queryset=RubricVersion.objects.order_by("effective_date")
    )
    after = forms.ModelChoiceField(
        label=_("later version"), queryset=RubricVersion.objects.order_by("effective_date")
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("before") and cleaned.get("before") == cleaned.get("after"):
            self.add_error("after", _("Choose a version other than the earlier one."))
        return cleaned
