"""The score sheet form of 表二, 表三 and 表四, built from the rubric's definition.

Scores are taken as entered and handed to the scoring engine, which is the one
judge of what is possible (the same rules for the running score and the save).
Each input is named by `scoring.answers.field_name`, the name the engine's
problems carry, so a refusal lands on its input.

A deduction section has, per deduction rule (its items), a box of the
occurrences found under that rule: one reference a line. They are stored as the
section's `occurrences` ({"kind": item key, "reference": …}, `scoring.answers`).
"""

from dataclasses import dataclass
from functools import partial

from django import forms
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scoring import definitions as d
from scoring.answers import field_name
from scoring.engine import score_choices
from scoring.text import PlainTextFormField

from .evidence_files import evidence_key
from .models import SelectionMethod
from .params import ModelChoiceField

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
    choices: tuple = ()  # the scores offered to touch (scoring.engine.score_choices)
    occurrences: bool = False  # a deduction rule: its field holds references, one a line


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
    choices: tuple = ()  # a section scored as a whole: the scores offered to touch


@dataclass
class PartBlock:
    part: d.PartDef
    prefix: str
    reference_field: object
    servicing_field: object | None
    not_observed_field: object | None
    not_observed_reason_field: object | None
    sections: list[SectionBlock]


def _occurrences_input():
    return PlainTextFormField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 2, "class": "form-control form-control-sm", "autocomplete": "off"}
        ),
    )


def _references(text: str | None) -> list[str]:
    """The references typed into a deduction rule's box, one a line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _score_input(maximum):
    return PlainTextFormField(
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
            self.fields["specialist"] = ModelChoiceField(
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
            self.fields["alternative_reason"] = PlainTextFormField(
                label=_("Why the standard process could not be checked"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # Seed 002: a sheet resting on falsified material scores 0, for a reason.
        self.fields[field_name(what="falsified")] = forms.BooleanField(
            label=_("Falsified material: the sheet scores 0"),
            required=False,
            widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        )
        self.fields[field_name(what="falsified_reason")] = PlainTextFormField(
            label=_("What was falsified (required when marked)"),
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
        )
        for part in definition.parts:
            self._add_part_fields(part)

    def _add_part_fields(self, part: d.PartDef):
        p = part.key
        name = partial(field_name, p)
        self.fields[name(what="reference_no")] = PlainTextFormField(
            label=REFERENCE_LABELS.get(self.definition.business_line, _("Reference number")),
            required=False,
            max_length=50,
        )
        if self.definition.servicing_items:
            self.fields[name(what="servicing_item")] = forms.ChoiceField(
                label=_("Servicing item"),
                required=False,
                choices=[("", "—")] + [(s, s) for s in self.definition.servicing_items],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        if self.definition.grouping == d.PARTS:
            self.fields[name(what="not_observed")] = forms.BooleanField(
                label=_("Not observed"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[name(what="not_observed_reason")] = PlainTextFormField(
                label=_("Why not observed"), required=False, max_length=500
            )
        for section in part.sections:
            name = partial(field_name, p, section.key)
            if section.scoring == d.SECTION_POINTS:
                self.fields[name(what="score")] = _score_input(section.max_points)
            elif section.scoring == d.DEDUCTION:
                for item in section.items:
                    self.fields[name(item=item.key)] = _occurrences_input()
            else:
                for item in section.items:
                    self.fields[name(item=item.key)] = _score_input(item.points)
            if section.allows_not_applicable or section.allows_no_notice:
                # 表四's notice section: the box says there was no 二核 notice to check.
                self.fields[name(what="na")] = forms.BooleanField(
                    required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
                )
                self.fields[name(what="na_reason")] = PlainTextFormField(
                    required=False, max_length=300
                )
            if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
                self.fields[name(what="notice_kind")] = forms.ChoiceField(
                    required=False,
                    choices=[("", "—")] + [(i.key, i.text) for i in section.notice_kinds],
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
            self.fields[name(what="remark")] = PlainTextFormField(
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
                name = partial(field_name, p, section.key)
                rows = []
                item_points = section.scoring == d.ITEM_POINTS
                for item in section.items:
                    rows.append(
                        ItemRow(
                            item=item,
                            field=self._bound(name(item=item.key)),
                            notice_kind=item.is_notice_kind
                            and section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND,
                            choices=score_choices(item.points) if item_points else (),
                            occurrences=section.scoring == d.DEDUCTION,
                        )
                    )
                sections.append(
                    SectionBlock(
                        section=section,
                        score_field=self._bound(name(what="score")),
                        na_field=self._bound(name(what="na")),
                        na_reason_field=self._bound(name(what="na_reason")),
                        notice_field=self._bound(name(what="notice_kind")),
                        remark_field=self[name(what="remark")],
                        items=rows,
                        prefix=f"{p}-{section.key}",
                        choices=score_choices(section.max_points)
                        if section.scoring == d.SECTION_POINTS
                        else (),
                    )
                )
            blocks.append(
                PartBlock(
                    part=part,
                    prefix=p,
                    reference_field=self[field_name(p, what="reference_no")],
                    servicing_field=self._bound(field_name(p, what="servicing_item")),
                    not_observed_field=self._bound(field_name(p, what="not_observed")),
                    not_observed_reason_field=self._bound(
                        field_name(p, what="not_observed_reason")
                    ),
                    sections=sections,
                )
            )
        return blocks

    def _bound(self, name):
        return self[name] if name in self.fields else None

    def radios_html(self, name: str, badges: dict[int, str] | None = None) -> SafeString:
        """A choice field's radio buttons, one `form-check` each; `badges`: a
        badge's text after the label of the radio at that position (from 0)."""
        field = self[name]
        value = field.value()
        context = {
            "name": field.html_name,
            "auto_id": field.auto_id,
            "choices": field.field.choices,
            "value": "" if value is None else str(value),
            "inline": name == "selection_method",
            "required": field.field.required,
            "invalid": self.is_bound and bool(field.errors),
            "badges": badges or {},
        }
        return mark_safe(_jinja2("inspections/_radios.html").render(context))

    # --- to and from the stored answers --------------------------------------

    def parts_data(self) -> dict[str, dict]:
        """The cleaned form as the `parts` argument of `services.save_sheet`."""
        data = self.cleaned_data
        parts = {}
        for part in self.definition.parts:
            p = part.key
            sections, remarks = {}, {}
            for section in part.sections:
                name = partial(field_name, p, section.key)
                entry = {}
                if section.scoring == d.SECTION_POINTS:
                    entry["score"] = data.get(name(what="score"), "")
                elif section.scoring == d.DEDUCTION:
                    entry["occurrences"] = [
                        {"kind": item.key, "reference": reference}
                        for item in section.items
                        for reference in _references(data.get(name(item=item.key)))
                    ]
                else:
                    entry["items"] = {
                        item.key: data.get(name(item=item.key), "") for item in section.items
                    }
                if data.get(name(what="na")):
                    entry["not_applicable"] = True
                    entry["not_applicable_reason"] = data.get(name(what="na_reason"), "")
                if data.get(name(what="notice_kind")) and not data.get(name(what="na")):
                    # No notice to check leaves no notice kind checked.
                    entry["notice_kind"] = data[name(what="notice_kind")]
                if data.get(name(what="remark")):
                    remarks[section.key] = data[name(what="remark")]
                sections[section.key] = entry
            parts[p] = {
                "reference_no": data.get(field_name(p, what="reference_no"), ""),
                "servicing_item": data.get(field_name(p, what="servicing_item"), ""),
                "observed": not data.get(field_name(p, what="not_observed"), False),
                "not_observed_reason": data.get(field_name(p, what="not_observed_reason"), ""),
                "answers": {"sections": sections, "remarks": remarks},
            }
        return parts

    @staticmethod
    def initial_from_record(record) -> dict:
        initial = {
            "version": record.version,
            "selection_method": record.selection_method,
            "alternative_reason": record.alternative_reason,
            "falsified": record.falsified_material,
            "falsified_reason": record.falsified_reason,
        }
        if record.chosen_alternative_id:
            initial["chosen_alternative"] = record.chosen_alternative.code
        for part_record in record.parts.all():
            p = part_record.part.code
            initial[field_name(p, what="reference_no")] = part_record.reference_no
            initial[field_name(p, what="servicing_item")] = part_record.servicing_item
            initial[field_name(p, what="not_observed")] = not part_record.observed
            initial[field_name(p, what="not_observed_reason")] = part_record.not_observed_reason
            answers = part_record.answers or {}
            for key, entry in (answers.get("sections") or {}).items():
                name = partial(field_name, p, key)
                if "score" in entry:
                    initial[name(what="score")] = entry["score"]
                for item_key, value in (entry.get("items") or {}).items():
                    initial[name(item=item_key)] = value
                initial[name(what="na")] = bool(entry.get("not_applicable"))
                initial[name(what="na_reason")] = entry.get("not_applicable_reason", "")
                initial[name(what="notice_kind")] = entry.get("notice_kind", "")
                by_kind: dict[str, list[str]] = {}
                for occurrence in entry.get("occurrences") or ():
                    by_kind.setdefault(occurrence.get("kind", ""), []).append(
                        occurrence.get("reference", "")
                    )
                for kind, references in by_kind.items():
                    initial[name(item=kind)] = "\n".join(references)
            for key, remark in (answers.get("remarks") or {}).items():
                initial[field_name(p, key, what="remark")] = remark
        return initial


# --- the parts' cards ---------------------------------------------------------


def _jinja2(name: str):
    """A template of the Jinja2 engine (config/jinja2.py), kept compiled by it."""
    return get_template(name, using="jinja2")


def parts_html(
    form: SheetForm, blocks: list[PartBlock], evidence=(), *, can_attach: bool = False
) -> SafeString:
    """Every part's card: its header fields and its table of sections and items,
    with the values of `form` (bound or initial), the `evidence` of each section
    and item, and (`can_attach`) a camera button on each
    (templates/jinja2/inspections/_sheet_parts.html)."""
    definition = form.definition
    by_key = {}
    for file in evidence:
        if file.item_key:  # the whole sheet's is listed under the form
            by_key.setdefault(file.item_key, []).append(file)
    context = {
        "blocks": blocks,
        "named_parts": definition.grouping in (d.PARTS, d.ALTERNATIVES),
        "sheet_name": definition.name,
        # Each section's ("<section>") and item's ("<section>:<item>") evidence.
        "evidence": {
            key: render_to_string(
                "inspections/_evidence.html", {"evidence": files, "item_key": key}
            )
            for key, files in by_key.items()
        },
        "evidence_key": evidence_key,
        "can_attach": can_attach,
        # Translated here: makemessages does not read Jinja2 templates.
        "labels": {
            "section": gettext("Section"),
            "item": gettext("Item"),
            "points": gettext("Points"),
            "score": gettext("Score"),
            "remark": gettext("Remark"),
            "total": gettext("total"),
            "subtotal": gettext("Subtotal"),
            "max": gettext("max"),
            "not_applicable": gettext("Not applicable: gives the full %(points)s points"),
            "automatically_for": gettext("Automatically for"),
            "reason": gettext("Reason"),
            "notice_kind": gettext("Notice kind checked (the others get full points)"),
            "no_notice": gettext(
                "No 二核 notice to check: every item gets its full points, not applicable"
            ),
            "reason_required": gettext("Why there was no notice to check (required)"),
            "not_observed": gettext("Not observed"),
            "why_not_observed": gettext("Why not observed"),
            "attach_photo": gettext("Take or attach a photo"),
            "per_occurrence": gettext("−%(points)s per occurrence"),
            "deductions_only": gettext(
                "Deductions only: nothing recorded keeps the full points, never below 0"
            ),
            "references": gettext(
                "References of the occurrences, one a line (penalty decision or document number)"
            ),
        },
    }
    return mark_safe(_jinja2("inspections/_sheet_parts.html").render(context))
