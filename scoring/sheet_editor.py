"""The one-page editor of a sheet: the sheet's own fields, its parts, their
sections and their items, in one form of four formsets, checked together.

Each row of the page is a form of one of three flat formsets (parts, sections,
items). A row names itself by `ref` ("p12" for part 12, "n3" for a row added on
the page) and its parent by `parent`, so the page nests them and a row can be
added anywhere (`static/js/rubric-editor.js`). `SheetEditor.is_valid` checks
each row's fields, then the tree: codes unique among siblings, and every total
with `scoring.rubric_rules`, each problem beside the row it concerns.
`SheetEditor.edited()` is the result, for `scoring.services.save_sheet_tree`.
"""

import copy
import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import rubric_rules as rules
from .models import Item, Section, Sheet, SheetPart
from .selectors import sheets_with_tree
from .services import EditedItem, EditedPart, EditedSection, EditedSheet
from .text import validate_plain_text

_SEPARATORS = re.compile(r"[、,，;；\n]+")


class TextListField(forms.CharField):
    """Short texts typed in one box, separated by 、 or commas (servicing items)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, validators=[validate_plain_text], **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(value)
        return value

    def clean(self, value) -> list[str]:
        entries: list[str] = []
        for entry in _SEPARATORS.split(super().clean(value) or ""):
            entry = entry.strip()
            if len(entry) > 100:
                raise ValidationError(
                    gettext_lazy("“%(entry)s” is longer than 100 characters."),
                    code="max_length",
                    params={"entry": entry},
                )
            if entry and entry not in entries:
                entries.append(entry)
        return entries


def _verbose(model, name: str):
    return model._meta.get_field(name).verbose_name


class _Row(forms.ModelForm):
    """A row of the page: its own fields, which row it is and which it is in."""

    row_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    ref = forms.SlugField(max_length=20, widget=forms.HiddenInput)
    parent = forms.SlugField(max_length=20, required=False, widget=forms.HiddenInput)

    def position(self) -> int:
        return self.cleaned_data.get("order") or 0


class PartRow(_Row):
    class Meta:
        model = SheetPart
        fields = ["order", "code", "name", "total_points", "is_preferred_alternative"]
        widgets = {
            "order": forms.NumberInput(attrs={"class": "rubric-order"}),
            "code": forms.TextInput(attrs={"class": "rubric-code"}),
            "name": forms.TextInput(attrs={"class": "rubric-name"}),
            "total_points": forms.NumberInput(attrs={"class": "rubric-points"}),
        }


class SectionRow(_Row):
    exempt_servicing_items = TextListField(
        label=_verbose(Section, "exempt_servicing_items"),
        max_length=1000,
        widget=forms.TextInput(attrs={"class": "rubric-list"}),
    )

    class Meta:
        model = Section
        fields = [
            "order",
            "code",
            "name",
            "scoring",
            "max_points",
            "not_applicable_rule",
            "not_applicable_conditions",
        ]
        widgets = {
            "order": forms.NumberInput(attrs={"class": "rubric-order"}),
            "code": forms.TextInput(attrs={"class": "rubric-code"}),
            "name": forms.TextInput(attrs={"class": "rubric-name"}),
            "max_points": forms.NumberInput(attrs={"class": "rubric-points"}),
            "not_applicable_conditions": forms.Textarea(attrs={"rows": 1, "cols": 16}),
        }


class ItemRow(_Row):
    code = forms.SlugField(
        label=_verbose(Item, "code"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("Left empty, a code is made up."),
        widget=forms.TextInput(attrs={"class": "rubric-code"}),
    )

    class Meta:
        model = Item
        fields = ["order", "code", "text", "points", "is_notice_kind"]
        widgets = {
            "order": forms.NumberInput(attrs={"class": "rubric-order"}),
            "text": forms.TextInput(attrs={"class": "rubric-text"}),
            "points": forms.NumberInput(attrs={"class": "rubric-points"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "row_id" not in self.initial:
            # Not the random code a new Item() comes with: every row added on
            # the page would show the same one. Left empty, the save makes one up.
            self.initial.pop("code", None)

    def clean_code(self):
        # An item already saved keeps its code when the box is emptied.
        return self.cleaned_data["code"] or self.initial.get("code", "")


class SheetHeadForm(forms.ModelForm):
    """The sheet's own fields, and what the page was opened at."""

    fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput)
    servicing_items = TextListField(
        label=_verbose(Sheet, "servicing_items"),
        max_length=2000,
        help_text=gettext_lazy("Separated by 、 or commas."),
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )

    class Meta:
        model = Sheet
        fields = ["table_label", "name", "total_points", "servicing_items"]
        widgets = {
            "table_label": forms.TextInput(attrs={"class": "vTextField"}),
            "name": forms.TextInput(attrs={"class": "vTextField"}),
            "total_points": forms.NumberInput(attrs={"class": "rubric-points"}),
        }


PartFormSet = forms.formset_factory(PartRow, extra=0, can_delete=True)
SectionFormSet = forms.formset_factory(SectionRow, extra=0, can_delete=True)
ItemFormSet = forms.formset_factory(ItemRow, extra=0, can_delete=True)

# What the page keeps for itself: an error there means the page was tampered with.
_HIDDEN = {"fingerprint", "row_id", "ref", "parent"}
_PART_FIELDS = PartRow._meta.fields
_SECTION_FIELDS = [*SectionRow._meta.fields, "exempt_servicing_items"]
_ITEM_FIELDS = ItemRow._meta.fields


def _values(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


@dataclass
class Node:
    """A row of the page with the rows inside it, as the page shows them."""

    form: forms.Form
    children: list["Node"] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.form["ref"].value() or ""


class SheetEditor:
    """The sheet's fields and its parts, sections and items, bound to a POST
    (`data`) or showing the sheet as stored, opened at `fingerprint`."""

    def __init__(self, *, sheet: Sheet, fingerprint: str = "", data=None):
        self.sheet = sheet
        self.refusals: list[str] = []  # problems of the whole page
        tree = sheets_with_tree().get(pk=sheet.pk)
        parts, sections, items = [], [], []
        for part in tree.parts.all():
            parts.append({"row_id": part.pk, "ref": f"p{part.pk}", **_values(part, _PART_FIELDS)})
            for section in part.sections.all():
                sections.append(
                    {
                        "row_id": section.pk,
                        "ref": f"s{section.pk}",
                        "parent": f"p{part.pk}",
                        **_values(section, _SECTION_FIELDS),
                    }
                )
                items.extend(
                    {
                        "row_id": item.pk,
                        "ref": f"i{item.pk}",
                        "parent": f"s{section.pk}",
                        **_values(item, _ITEM_FIELDS),
                    }
                    for item in section.items.all()
                )
        # A copy: the form sets what was typed on its instance, valid or not.
        self.head = SheetHeadForm(
            data, instance=copy.copy(sheet), prefix="sheet", initial={"fingerprint": fingerprint}
        )
        self.parts = PartFormSet(data, prefix="parts", initial=parts)
        self.sections = SectionFormSet(data, prefix="sections", initial=sections)
        self.items = ItemFormSet(data, prefix="items", initial=items)
        self._result: list[Node] | None = None

    # --- what the page shows ----------------------------------------------------------

    @property
    def formsets(self):
        return (self.parts, self.sections, self.items)

    def tree(self) -> list[Node]:
        """The parts with their sections and items, in order, as typed."""
        return _nest(
            [_ordered(self.parts.forms), _ordered(self.sections.forms), _ordered(self.items.forms)]
        )

    def empty_rows(self) -> dict[str, Node]:
        """The rows the page copies to add a part, a section or an item."""
        return {
            "part": Node(self.parts.empty_form),
            "section": Node(self.sections.empty_form),
            "item": Node(self.items.empty_form),
        }

    @property
    def fingerprint(self) -> str:
        return self.head["fingerprint"].value() or ""

    def has_errors(self) -> bool:
        return bool(
            self.refusals
            or self.head.errors
            or any(fs.non_form_errors() or any(f.errors for f in fs.forms) for fs in self.formsets)
        )

    def refuse(self, error: ValidationError) -> None:
        """A refusal of the save (the page is stale, the version locked)."""
        self.refusals.extend(error.messages)

    # --- checking ----------------------------------------------------------------------

    def is_valid(self) -> bool:
        rows_valid = [self.head.is_valid()] + [fs.is_valid() for fs in self.formsets]
        forms_ = [self.head, *(f for fs in self.formsets for f in fs.forms)]
        if any(name in _HIDDEN for form in forms_ for name in form.errors):
            self.refusals.append(_("The page is damaged or out of date. Reload the page."))
        if not all(rows_valid):
            return False
        self._result = self._assemble()
        if self.has_errors():
            return False
        self._check_totals(self._result)
        return not self.has_errors()

    def _assemble(self) -> list[Node]:
        """The rows kept (not deleted, nor inside a row deleted), nested; rows
        whose parent is nowhere, or whose code a sibling has, are refused."""
        levels = [_kept(fs) for fs in self.formsets]
        deleted = {f["ref"].value() for fs in self.formsets for f in fs.deleted_forms}
        refs = [f.cleaned_data["ref"] for rows in levels for f in rows]
        ids = [(n, f.cleaned_data["row_id"]) for n, rows in enumerate(levels) for f in rows]
        ids = [row_id for row_id in ids if row_id[1]]
        if len(refs) != len(set(refs)) or len(ids) != len(set(ids)):
            self.refusals.append(_("Two rows of the page are the same row. Reload the page."))
            return []
        parts = [Node(f) for f in levels[0]]
        by_ref = {node.form.cleaned_data["ref"]: node for node in parts}
        for rows in levels[1:]:
            placed: dict[str, Node] = {}
            for form in rows:
                parent = form.cleaned_data["parent"]
                if parent in by_ref:
                    node = Node(form)
                    by_ref[parent].children.append(node)
                    placed[form.cleaned_data["ref"]] = node
                elif parent in deleted:
                    deleted.add(form.cleaned_data["ref"])  # deleted with its parent
                else:
                    self.refusals.append(
                        _("A row of the page belongs to no part or section. Reload the page.")
                    )
            by_ref = placed
        _refuse_twice_used_codes(parts, what=_("This sheet"))
        for part in parts:
            _refuse_twice_used_codes(part.children, what=part.form.cleaned_data["name"])
            for section in part.children:
                _refuse_twice_used_codes(section.children, what=section.form.cleaned_data["name"])
        return parts

    def _check_totals(self, parts: list[Node]) -> None:
        """Every rule of `scoring.rubric_rules`, each problem on its own row."""
        sheet, head = self.sheet, self.head.cleaned_data
        problems: list[tuple[forms.Form, str | None, str]] = []
        for part in parts:
            for section in part.children:
                data = section.form.cleaned_data
                problems += [
                    (section.form, None, message)
                    for message in rules.section_problems(
                        name=data["name"],
                        scoring=data["scoring"],
                        max_points=data["max_points"],
                        not_applicable_rule=data["not_applicable_rule"],
                        items=[
                            rules.ItemValues(
                                i.form.cleaned_data["points"], i.form.cleaned_data["is_notice_kind"]
                            )
                            for i in section.children
                        ],
                        exempt_servicing_items=data["exempt_servicing_items"],
                    )
                ]
                problems += [
                    (section.form, "exempt_servicing_items", message)
                    for message in rules.exempt_servicing_item_problems(
                        name=data["name"],
                        exempt_servicing_items=data["exempt_servicing_items"],
                        servicing_items=head["servicing_items"],
                    )
                ]
            data = part.form.cleaned_data
            problems += [
                (part.form, None, message)
                for message in rules.part_problems(
                    name=data["name"],
                    sheet_kind=sheet.kind,
                    total_points=data["total_points"],
                    sections=[
                        rules.SectionValues(
                            s.form.cleaned_data["name"],
                            s.form.cleaned_data["scoring"],
                            s.form.cleaned_data["max_points"],
                        )
                        for s in part.children
                    ],
                )
            ]
        problems += [
            (self.head, None, message)
            for message in rules.sheet_problems(
                sheet=f"{head['table_label']} {head['name']}",
                kind=sheet.kind,
                grouping=sheet.grouping,
                total_points=head["total_points"],
                business_line=sheet.business_line,
                parts=[
                    rules.PartValues(
                        p.form.cleaned_data["name"],
                        p.form.cleaned_data["total_points"],
                        p.form.cleaned_data["is_preferred_alternative"],
                    )
                    for p in parts
                ],
            )
        ]
        for form, field_name, message in problems:
            form.add_error(field_name, message)

    # --- the result --------------------------------------------------------------------

    def edited(self) -> EditedSheet:
        """The sheet as typed, once `is_valid()`."""
        head = self.head.cleaned_data
        return EditedSheet(
            table_label=head["table_label"],
            name=head["name"],
            total_points=head["total_points"],
            servicing_items=head["servicing_items"],
            parts=[_edited_part(node) for node in self._result or []],
        )


def _ordered(forms_: list) -> list:
    """Forms by the order typed, then as they came."""

    def key(indexed):
        index, form = indexed
        value = form["order"].value()
        try:
            return (int(value), index)
        except (TypeError, ValueError):
            return (0, index)

    return [form for _index, form in sorted(enumerate(forms_), key=key)]


def _nest(levels: list[list]) -> list[Node]:
    """Rows of three levels nested by their `parent`, for the page."""
    parts = [Node(form) for form in levels[0]]
    by_ref = {node.ref: node for node in parts}
    for rows in levels[1:]:
        placed = {}
        for form in rows:
            parent = by_ref.get(form["parent"].value() or "")
            if parent is not None:
                node = Node(form)
                parent.children.append(node)
                placed[node.ref] = node
        by_ref = placed
    return parts


def _kept(formset) -> list:
    """The forms of a valid formset that stay: filled in, not deleted, in order."""
    deleted = formset.deleted_forms
    kept = [f for f in formset.forms if f.cleaned_data and f not in deleted]
    return sorted(kept, key=lambda f: (f.position(), formset.forms.index(f)))


def _refuse_twice_used_codes(nodes: list[Node], *, what: str) -> None:
    seen: set[str] = set()
    for node in nodes:
        code = node.form.cleaned_data.get("code")
        if code and code in seen:
            node.form.add_error(
                "code",
                ValidationError(
                    _("%(where)s already has a row with the code “%(code)s”.")
                    % {"where": what, "code": code},
                    code="unique",
                ),
            )
        seen.add(code)


def _edited_part(node: Node) -> EditedPart:
    data = node.form.cleaned_data
    return EditedPart(
        id=data["row_id"],
        code=data["code"],
        name=data["name"],
        total_points=data["total_points"],
        is_preferred_alternative=data["is_preferred_alternative"],
        sections=[_edited_section(s) for s in node.children],
    )


def _edited_section(node: Node) -> EditedSection:
    data = node.form.cleaned_data
    return EditedSection(
        id=data["row_id"],
        code=data["code"],
        name=data["name"],
        scoring=data["scoring"],
        max_points=data["max_points"],
        not_applicable_rule=data["not_applicable_rule"],
        not_applicable_conditions=data["not_applicable_conditions"],
        exempt_servicing_items=data["exempt_servicing_items"],
        items=[
            EditedItem(
                id=i.form.cleaned_data["row_id"],
                code=i.form.cleaned_data["code"],
                text=i.form.cleaned_data["text"],
                points=i.form.cleaned_data["points"],
                is_notice_kind=i.form.cleaned_data["is_notice_kind"],
            )
            for i in node.children
        ],
    )
