"""What changed from one rubric version to another, as pure functions over the
plain definitions of their sheets (`scoring.definitions`, no ORM).

Things are matched by their codes, which a copy of a version keeps: sheets by
sheet code, parts by part code within their sheet, sections by section code
within their part, items by item code within their section
(`scoring.selectors.comparable_definitions` keys items by code; the engine's
definitions key them by primary key, which a copy does not keep). So an item
whose text or points changed is one change, while an item moved to another
section is removed from one and added to the other.

`diff_rubrics(before, after)` lists every sheet, part, section and item added,
removed or changed. What is added or removed is listed with everything below
it, so every item added or removed appears with its points. Changes come in the
order of the later version, each followed by what was removed from under it.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import definitions as d

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"

SHEET = "sheet"
PART = "part"
SECTION = "section"
ITEM = "item"

Node = d.SheetDef | d.PartDef | d.SectionDef | d.ItemDef

# What is compared at each level, by the name of the model field it mirrors
# (so a page can show the field's own label).
_FIELDS: dict[str, tuple[tuple[str, Callable[[Any], Any]], ...]] = {
    SHEET: (
        ("table_label", lambda s: s.table_label),
        ("name", lambda s: s.name),
        ("kind", lambda s: s.kind),
        ("business_line", lambda s: s.business_line),
        ("grouping", lambda s: s.grouping),
        ("total_points", lambda s: s.total_points),
        ("servicing_items", lambda s: tuple(s.servicing_items)),
    ),
    PART: (
        ("name", lambda p: p.name),
        ("total_points", lambda p: p.total_points),
        ("is_preferred_alternative", lambda p: p.preferred),
    ),
    SECTION: (
        ("name", lambda s: s.name),
        ("scoring", lambda s: s.scoring),
        ("max_points", lambda s: s.max_points),
        ("not_applicable_rule", lambda s: s.not_applicable_rule),
        ("not_applicable_conditions", lambda s: s.not_applicable_conditions),
        ("exempt_servicing_items", lambda s: tuple(sorted(s.exempt_servicing_items))),
    ),
    ITEM: (
        ("text", lambda i: i.text),
        ("points", lambda i: i.points),
        ("is_notice_kind", lambda i: i.is_notice_kind),
    ),
}


@dataclass(frozen=True)
class FieldChange:
    field: str  # the model field's name, e.g. "points"
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    """One sheet, part, section or item added, removed or changed.

    `path` holds the codes from the sheet down to it, `labels` the names along
    it, as the later version has them (what was removed, and what is under it,
    by the earlier version's names); `points_before`
    and `points_after` its points (a sheet's or part's total, a section's max,
    an item's points), None on the side where it does not exist or has none.
    """

    kind: str
    level: str
    path: tuple[str, ...]
    labels: tuple[str, ...]
    points_before: Decimal | None = None
    points_after: Decimal | None = None
    fields: tuple[FieldChange, ...] = ()


def _points(level: str, node: Node) -> Decimal | None:
    if level == SECTION:
        return node.max_points
    if level == ITEM:
        return node.points
    return node.total_points


def _label(level: str, node: Node) -> str:
    if level == SHEET:
        return f"{node.table_label} {node.name}"
    if level == ITEM:
        return node.text
    return node.name


def _children(level: str, node: Node) -> tuple[str, tuple[Node, ...]]:
    """The level below and the nodes there, in order."""
    if level == SHEET:
        return PART, node.parts
    if level == PART:
        return SECTION, node.sections
    if level == SECTION:
        return ITEM, node.items
    return "", ()


def _whole(
    kind: str, level: str, node: Node, path: tuple[str, ...], labels: tuple[str, ...]
) -> Iterable[Change]:
    """A node added or removed, and everything below it."""
    path, labels = (*path, node.key), (*labels, _label(level, node))
    points = _points(level, node)
    yield Change(
        kind=kind,
        level=level,
        path=path,
        labels=labels,
        points_before=points if kind == REMOVED else None,
        points_after=points if kind == ADDED else None,
    )
    below, children = _children(level, node)
    for child in children:
        yield from _whole(kind, below, child, path, labels)


def _compare(
    level: str,
    before: Iterable[Node],
    after: Iterable[Node],
    path: tuple[str, ...],
    labels: tuple[str, ...],
) -> Iterable[Change]:
    earlier = {node.key: node for node in before}
    later = {node.key: node for node in after}
    for key, new in later.items():
        old = earlier.get(key)
        if old is None:
            yield from _whole(ADDED, level, new, path, labels)
            continue
        fields = tuple(
            FieldChange(name, read(old), read(new))
            for name, read in _FIELDS[level]
            if read(old) != read(new)
        )
        here, names = (*path, key), (*labels, _label(level, new))
        if fields:
            yield Change(
                kind=CHANGED,
                level=level,
                path=here,
                labels=names,
                points_before=_points(level, old),
                points_after=_points(level, new),
                fields=fields,
            )
        below, old_children = _children(level, old)
        if below:
            yield from _compare(below, old_children, _children(level, new)[1], here, names)
    for key, old in earlier.items():
        if key not in later:
            yield from _whole(REMOVED, level, old, path, labels)


def diff_rubrics(
    before: Mapping[str, d.SheetDef], after: Mapping[str, d.SheetDef]
) -> tuple[Change, ...]:
    """Every change from the sheets `before` to the sheets `after` (each a
    mapping of sheet code to definition, in display order)."""
    return tuple(_compare(SHEET, before.values(), after.values(), (), ()))
