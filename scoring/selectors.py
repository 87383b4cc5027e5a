"""Read rubrics from the database as the engine's plain definitions.

Keys: a part's and a section's code, an item's primary key as text (what stored
answers name), or, for comparing versions, the item's code (which a copy keeps).
Every function here reads its data with one prefetching query set (one query
per level), however large the rubric.

A sheet of a rubric version in use (published, and a campaign's) can no longer
change, so `sheet_definition(sheet, in_use=True)` keeps its definition in
process memory; any save or deletion of a rubric's rows in this process clears
that memory (`forget_definitions`, connected in `scoring.apps`).
"""

import hashlib
import json
import threading
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects

from . import definitions as d
from .models import Item, RubricVersion, Section, Sheet, SheetPart

_TREE = (
    Prefetch("parts", queryset=SheetPart.objects.order_by("order", "id")),
    Prefetch("parts__sections", queryset=Section.objects.order_by("order", "id")),
    Prefetch("parts__sections__items", queryset=Item.objects.order_by("order", "id")),
)


def _decimal(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _item(item: Item, *, by_code: bool) -> d.ItemDef:
    return d.ItemDef(
        key=item.code if by_code else str(item.pk),
        text=item.text,
        points=_decimal(item.points),
        is_notice_kind=item.is_notice_kind,
    )


def _section(section: Section, *, by_code: bool) -> d.SectionDef:
    return d.SectionDef(
        key=section.code,
        name=section.name,
        scoring=section.scoring,
        max_points=Decimal(section.max_points),
        items=tuple(_item(i, by_code=by_code) for i in section.items.all()),
        not_applicable_rule=section.not_applicable_rule,
        not_applicable_conditions=section.not_applicable_conditions,
        exempt_servicing_items=frozenset(section.exempt_servicing_items or ()),
    )


def _part(part: SheetPart, *, by_code: bool) -> d.PartDef:
    return d.PartDef(
        key=part.code,
        name=part.name,
        total_points=Decimal(part.total_points),
        sections=tuple(_section(s, by_code=by_code) for s in part.sections.all()),
        preferred=part.is_preferred_alternative,
    )


def _build(sheet: Sheet, *, by_code: bool = False) -> d.SheetDef:
    return d.SheetDef(
        key=sheet.code,
        table_label=sheet.table_label,
        name=sheet.name,
        kind=sheet.kind,
        grouping=sheet.grouping,
        total_points=_decimal(sheet.total_points),
        business_line=sheet.business_line,
        parts=tuple(_part(p, by_code=by_code) for p in sheet.parts.all()),
        servicing_items=tuple(sheet.servicing_items or ()),
    )


def sheets_with_tree():
    """Sheets with their parts, sections and items prefetched, in order."""
    return Sheet.objects.order_by("order", "id").prefetch_related(*_TREE)


# Sheet primary key -> definition, for sheets of rubric versions in use only.
_IN_USE: dict[int, d.SheetDef] = {}
_IN_USE_LOCK = threading.Lock()


def sheet_definition(*, sheet: Sheet, in_use: bool = False) -> d.SheetDef:
    """One sheet as the engine's `SheetDef` (its tree in one prefetch, 3 queries;
    none when the sheet came from `sheets_with_tree()`, or when it is kept in
    memory).

    `in_use=True`: the caller knows the sheet's rubric version is in use (the
    sheet of a campaign's visit), so it is read-only and its definition is kept
    in process memory. Definitions kept are returned whatever `in_use` says.
    """
    kept = _IN_USE.get(sheet.pk)
    if kept is not None:
        return kept
    if "parts" not in getattr(sheet, "_prefetched_objects_cache", {}):
        prefetch_related_objects([sheet], *_TREE)
    definition = _build(sheet)
    if in_use and sheet.pk is not None:
        with _IN_USE_LOCK:
            _IN_USE[sheet.pk] = definition
    return definition


def forget_definitions(**_signal_kwargs):
    """Drop the definitions kept in memory (a rubric's row was saved or deleted)."""
    with _IN_USE_LOCK:
        _IN_USE.clear()


def rubric_definitions(*, rubric: RubricVersion | int) -> dict[str, d.SheetDef]:
    """Every sheet of a rubric version by code, in display order (4 queries)."""
    rubric_id = rubric.pk if isinstance(rubric, RubricVersion) else rubric
    return {sheet.code: _build(sheet) for sheet in sheets_with_tree().filter(rubric_id=rubric_id)}


def comparable_definitions(*, rubric: RubricVersion) -> dict[str, d.SheetDef]:
    """Every sheet of a rubric version by code, in display order, with items keyed
    by their code: what `scoring.rubric_diff` compares (4 queries)."""
    return {
        sheet.code: _build(sheet, by_code=True)
        for sheet in sheets_with_tree().filter(rubric_id=rubric.pk)
    }


def _rows(queryset) -> list:
    fields = [f.attname for f in queryset.model._meta.concrete_fields]
    return [list(row) for row in queryset.order_by("pk").values_list(*fields)]


def editing_fingerprint(*, sheet: Sheet) -> str:
    """A digest of the sheet as stored, with every part, section and item (4
    queries): it changes whenever anyone saves any of them, so the one-page
    editor can tell that a sheet changed after its page was opened."""
    rows = [
        _rows(Sheet.objects.filter(pk=sheet.pk)),
        _rows(SheetPart.objects.filter(sheet_id=sheet.pk)),
        _rows(Section.objects.filter(part__sheet_id=sheet.pk)),
        _rows(Item.objects.filter(section__part__sheet_id=sheet.pk)),
    ]
    payload = json.dumps(rows, default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def checklist_requirements(*, sheet: d.SheetDef) -> tuple[d.ItemDef, ...]:
    """The requirements of a checklist sheet (表五, 表七), for `evaluate_checklist`."""
    return tuple(
        item for part in sheet.parts for section in part.sections for item in section.items
    )
