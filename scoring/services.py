"""Changes to rubrics that a page makes, each in one transaction, refused with
Django's ValidationError (a code says why) when they may not happen."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Item, RubricVersion, Section, Sheet, SheetPart, new_item_code
from .selectors import editing_fingerprint, forget_definitions

# --- a sheet edited on one page ------------------------------------------------


@dataclass(frozen=True)
class EditedItem:
    id: int | None  # None: a new item
    code: str  # "" : make one up
    text: str
    points: int | None
    is_notice_kind: bool


@dataclass(frozen=True)
class EditedSection:
    id: int | None
    code: str
    name: str
    scoring: str
    max_points: int
    not_applicable_rule: str
    not_applicable_conditions: str
    exempt_servicing_items: list[str]
    items: list[EditedItem] = field(default_factory=list)


@dataclass(frozen=True)
class EditedPart:
    id: int | None
    code: str
    name: str
    total_points: int
    is_preferred_alternative: bool
    sections: list[EditedSection] = field(default_factory=list)


@dataclass(frozen=True)
class EditedSheet:
    """A sheet as the one-page editor sends it: its own fields and its parts,
    sections and items in their new order. Rows not listed are deleted."""

    table_label: str
    name: str
    total_points: int | None
    servicing_items: list[str]
    parts: list[EditedPart] = field(default_factory=list)


def _ids(rows) -> set[int]:
    return {row.id for row in rows if row.id is not None}


def _refuse_unknown(kind: str, sent: set[int], existing: dict) -> None:
    if sent - existing.keys():
        raise ValidationError(
            _("The page names a %(kind)s that is not in this sheet. Reload the page.")
            % {"kind": kind},
            code="invalid",
        )


def _free_codes(rows: list, wanted: dict[int, str]) -> None:
    """Move rows whose code changes to a code of their own first, so that two
    rows may swap codes without meeting a unique constraint half way."""
    moving = [row for row in rows if row.pk in wanted and wanted[row.pk] != row.code]
    for row in moving:
        row.code = f"~{row.pk}"
    if moving:
        type(moving[0]).objects.bulk_update(moving, ["code"])


def save_sheet_tree(*, sheet: Sheet, edited: EditedSheet, fingerprint: str) -> None:
    """Write a sheet edited on one page: its fields, and its parts, sections and
    items as listed (rows not listed are deleted, new ones created), in one
    transaction.

    Refused (code "locked") unless the sheet's version is a draft no campaign
    uses, and (code "stale") when the sheet, or anything in it, changed since
    the page was opened: `fingerprint` is `editing_fingerprint` of then. The
    totals are the form's business (`scoring.sheet_editor`): it checks them
    before this is called.
    """
    with transaction.atomic():
        rubric = RubricVersion.objects.select_for_update().get(pk=sheet.rubric_id)
        if not rubric.is_open_draft():
            raise ValidationError(
                _(
                    "Rubric version %(version)s is no longer a draft, or a campaign uses it: "
                    "its sheets can no longer be changed. Nothing was saved."
                )
                % {"version": rubric.version},
                code="locked",
            )
        if editing_fingerprint(sheet=sheet) != fingerprint:
            raise ValidationError(
                _(
                    "Someone else saved this sheet after you opened the page. Nothing was "
                    "saved: your changes are still below. Reload the page to see the sheet "
                    "as it is now, then make your changes again."
                ),
                code="stale",
            )
        _write_tree(Sheet.objects.get(pk=sheet.pk), edited)
    forget_definitions()


def _write_tree(sheet: Sheet, edited: EditedSheet) -> None:
    parts = {p.pk: p for p in SheetPart.objects.filter(sheet=sheet)}
    sections = {s.pk: s for s in Section.objects.filter(part__sheet=sheet)}
    items = {i.pk: i for i in Item.objects.filter(section__part__sheet=sheet)}
    edited_sections = [s for p in edited.parts for s in p.sections]
    edited_items = [i for s in edited_sections for i in s.items]
    _refuse_unknown(_("part"), _ids(edited.parts), parts)
    _refuse_unknown(_("section"), _ids(edited_sections), sections)
    _refuse_unknown(_("item"), _ids(edited_items), items)

    # Deletions first (a part takes its sections and items with it), so that a
    # new row may take the code of one deleted.
    Item.objects.filter(pk__in=items.keys() - _ids(edited_items)).delete()
    Section.objects.filter(pk__in=sections.keys() - _ids(edited_sections)).delete()
    SheetPart.objects.filter(pk__in=parts.keys() - _ids(edited.parts)).delete()
    # An existing item sent without a code keeps its own; a new one gets one.
    item_codes = {i.id: i.code or items[i.id].code for i in edited_items if i.id}
    _free_codes([parts[p.id] for p in edited.parts if p.id], {p.id: p.code for p in edited.parts})
    _free_codes(
        [sections[s.id] for s in edited_sections if s.id],
        {s.id: s.code for s in edited_sections},
    )
    _free_codes([items[i.id] for i in edited_items if i.id], item_codes)

    sheet.table_label = edited.table_label
    sheet.name = edited.name
    sheet.total_points = edited.total_points
    sheet.servicing_items = list(edited.servicing_items)
    sheet.save(update_fields=["table_label", "name", "total_points", "servicing_items"])

    part_rows = []
    for order, p in enumerate(edited.parts):
        row = parts[p.id] if p.id else SheetPart(sheet=sheet)
        row.code, row.name, row.total_points = p.code, p.name, p.total_points
        row.is_preferred_alternative, row.order = p.is_preferred_alternative, order
        part_rows.append(row)
    _store(SheetPart, part_rows, ["code", "name", "total_points", "is_preferred_alternative"])

    section_rows = []
    for part, p in zip(part_rows, edited.parts, strict=True):
        for order, s in enumerate(p.sections):
            row = sections[s.id] if s.id else Section()
            row.part = part
            row.code, row.name, row.scoring = s.code, s.name, s.scoring
            row.max_points = s.max_points
            row.not_applicable_rule = s.not_applicable_rule
            row.not_applicable_conditions = s.not_applicable_conditions
            row.exempt_servicing_items = list(s.exempt_servicing_items)
            row.order = order
            section_rows.append(row)
    _store(
        Section,
        section_rows,
        [
            "part",
            "code",
            "name",
            "scoring",
            "max_points",
            "not_applicable_rule",
            "not_applicable_conditions",
            "exempt_servicing_items",
        ],
    )

    item_rows = []
    for section, s in zip(section_rows, edited_sections, strict=True):
        for order, i in enumerate(s.items):
            row = items[i.id] if i.id else Item()
            row.section = section
            row.code = item_codes[i.id] if i.id else (i.code or new_item_code())
            row.text, row.points, row.is_notice_kind = i.text, i.points, i.is_notice_kind
            row.order = order
            item_rows.append(row)
    _store(Item, item_rows, ["section", "code", "text", "points", "is_notice_kind"])


def _store(model, rows: list, fields: list[str]) -> None:
    """Update the rows that exist and create the new ones (their primary keys
    are set, for their children)."""
    existing = [row for row in rows if row.pk is not None]
    if existing:
        model.objects.bulk_update(existing, [*fields, "order"])
    new = [row for row in rows if row.pk is None]
    if new:
        model.objects.bulk_create(new)
