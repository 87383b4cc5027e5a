"""The score sheet form of 表二, 表三 and 表四, built from the rubric's definition.

Scores are taken as entered and handed to the scoring engine, which is the one
judge of what is possible (the same rules for the running score and the save).
Field names: "<part>-<section>-score", "<part>-<section>-item-<item key>",
"<part>-<section>-na", "<part>-<section>-na_reason", "<part>-<section>-notice_kind",
"<part>-<section>-remark", and per part "<part>-reference_no", "<part>-servicing_item",
"<part>-not_observed", "<part>-not_observed_reason".
"""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring import definitions as d

from .models import SelectionMethod

REFERENCE_LABELS = {
    "new_business": _("Application number"),
    "policy_change": _("Acceptance number"),
    "claims": _("Claim number"),
}


@dataclass
class ItemRow:
    item: d.ItemDef
    field: object | None  # bound field for the item's score, None for checkpoints
    notice_kind: bool = False


@dataclass
class SectionBlock:
    section: d.SectionDef
    score_field: object | None
    na_field: object | None
    na_reason_field: object | None
    notice_field: object | None
    remark_field: object
    items: list[ItemRow]
    prefix: str


@dataclass
class PartBlock:
    part: d.PartDef
    prefix: str
    reference_field: object
    servicing_field: object | None
    not_observed_field: object | None
    not_observed_reason_field: object | None
    sections: list[SectionBlock]


def _score_input(maximum):
    return forms.CharField(
        required=False,
        widget=forms.TextInput(
            attrs={
                "inputmode": "decimal",
                "class": "form-control form-control-sm score-input",
                "data-max": str(maximum),
                "autocomplete": "off",
            }
        ),
    )


class SheetForm(forms.Form):
    selection_method = forms.ChoiceField(
        label=_("How the case was chosen"),
        choices=SelectionMethod.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    # The version the page was opened at; 0 for a new sheet.
    version = forms.IntegerField(required=False, min_value=0, initial=0, widget=forms.HiddenInput)
    stale = False

    def __init__(self, *args, definition: d.SheetDef, specialists=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        if specialists is not None:
            self.fields["specialist"] = forms.ModelChoiceField(
                queryset=specialists, label=_("Specialist")
            )
            self.order_fields(["specialist"])
        if definition.grouping == d.ALTERNATIVES:
            self.fields["chosen_alternative"] = forms.ChoiceField(
                label=_("Sub-sheet checked"),
                choices=[(p.key, p.name) for p in definition.parts],
                initial=definition.parts[0].key,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields["alternative_reason"] = forms.CharField(
                label=_("Why the standard process could not be checked"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for part in definition.parts:
            self._add_part_fields(part)

    def _add_part_fields(self, part: d.PartDef):
        p = part.key
        self.fields[f"{p}-reference_no"] = forms.CharField(
            label=REFERENCE_LABELS.get(self.definition.business_line, _("Reference number")),
            required=False,
            max_length=50,
        )
        if self.definition.servicing_items:
            self.fields[f"{p}-servicing_item"] = forms.ChoiceField(
                label=_("Servicing item"),
                required=False,
                choices=[("", "—")] + [(s, s) for s in self.definition.servicing_items],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        if self.definition.grouping == d.PARTS:
            self.fields[f"{p}-not_observed"] = forms.BooleanField(
                label=_("Not observed"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"{p}-not_observed_reason"] = forms.CharField(
                label=_("Why not observed"), required=False, max_length=500
            )
        for section in part.sections:
            s = f"{p}-{section.key}"
            if section.scoring == d.SECTION_POINTS:
                self.fields[f"{s}-score"] = _score_input(section.max_points)
            else:
                for item in section.items:
                    self.fields[f"{s}-item-{item.key}"] = _score_input(item.points)
            if section.allows_not_applicable:
                self.fields[f"{s}-na"] = forms.BooleanField(
                    required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
                )
                self.fields[f"{s}-na_reason"] = forms.CharField(required=False, max_length=300)
            if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
                self.fields[f"{s}-notice_kind"] = forms.ChoiceField(
                    required=False,
                    choices=[("", "—")] + [(i.key, i.text) for i in section.notice_kinds],
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
            self.fields[f"{s}-remark"] = forms.CharField(
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    # --- layout for the template -------------------------------------------

    def blocks(self) -> list[PartBlock]:
        blocks = []
        for part in self.definition.parts:
            p = part.key
            sections = []
            for section in part.sections:
                s = f"{p}-{section.key}"
                rows = []
                for item in section.items:
                    name = f"{s}-item-{item.key}"
                    rows.append(
                        ItemRow(
                            item=item,
                            field=self[name] if name in self.fields else None,
                            notice_kind=item.is_notice_kind
                            and section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND,
                        )
                    )
                sections.append(
                    SectionBlock(
                        section=section,
                        score_field=self._bound(f"{s}-score"),
                        na_field=self._bound(f"{s}-na"),
                        na_reason_field=self._bound(f"{s}-na_reason"),
                        notice_field=self._bound(f"{s}-notice_kind"),
                        remark_field=self[f"{s}-remark"],
                        items=rows,
                        prefix=s,
                    )
                )
            blocks.append(
                PartBlock(
                    part=part,
                    prefix=p,
                    reference_field=self[f"{p}-reference_no"],
                    servicing_field=self._bound(f"{p}-servicing_item"),
                    not_observed_field=self._bound(f"{p}-not_observed"),
                    not_observed_reason_field=self._bound(f"{p}-not_observed_reason"),
                    sections=sections,
                )
            )
        return blocks

    def _bound(self, name):
        return self[name] if name in self.fields else None

    # --- to and from the stored answers --------------------------------------

    def parts_data(self) -> dict[str, dict]:
        """The cleaned form as the `parts` argument of `services.save_sheet`."""
        data = self.cleaned_data
        parts = {}
        for part in self.definition.parts:
            p = part.key
            sections, remarks = {}, {}
            for section in part.sections:
                s = f"{p}-{section.key}"
                entry = {}
                if section.scoring == d.SECTION_POINTS:
                    entry["score"] = data.get(f"{s}-score", "")
                else:
                    entry["items"] = {
                        item.key: data.get(f"{s}-item-{item.key}", "") for item in section.items
                    }
                if data.get(f"{s}-na"):
                    entry["not_applicable"] = True
                    entry["not_applicable_reason"] = data.get(f"{s}-na_reason", "")
                if data.get(f"{s}-notice_kind"):
                    entry["notice_kind"] = data[f"{s}-notice_kind"]
                if data.get(f"{s}-remark"):
                    remarks[section.key] = data[f"{s}-remark"]
                sections[section.key] = entry
            parts[p] = {
                "reference_no": data.get(f"{p}-reference_no", ""),
                "servicing_item": data.get(f"{p}-servicing_item", ""),
                "observed": not data.get(f"{p}-not_observed", False),
                "not_observed_reason": data.get(f"{p}-not_observed_reason", ""),
                "answers": {"sections": sections, "remarks": remarks},
            }
        return parts

    @staticmethod
    def initial_from_record(record) -> dict:
        initial = {
            "version": record.version,
            "selection_method": record.selection_method,
            "alternative_reason": record.alternative_reason,
        }
        if record.chosen_alternative_id:
            initial["chosen_alternative"] = record.chosen_alternative.code
        for part_record in record.parts.all():
            p = part_record.part.code
            initial[f"{p}-reference_no"] = part_record.reference_no
            initial[f"{p}-servicing_item"] = part_record.servicing_item
            initial[f"{p}-not_observed"] = not part_record.observed
            initial[f"{p}-not_observed_reason"] = part_record.not_observed_reason
            answers = part_record.answers or {}
            for key, entry in (answers.get("sections") or {}).items():
                s = f"{p}-{key}"
                if "score" in entry:
                    initial[f"{s}-score"] = entry["score"]
                for item_key, value in (entry.get("items") or {}).items():
                    initial[f"{s}-item-{item_key}"] = value
                initial[f"{s}-na"] = bool(entry.get("not_applicable"))
                initial[f"{s}-na_reason"] = entry.get("not_applicable_reason", "")
                initial[f"{s}-notice_kind"] = entry.get("notice_kind", "")
            for key, remark in (answers.get("remarks") or {}).items():
                initial[f"{p}-{key}-remark"] = remark
        return initial
