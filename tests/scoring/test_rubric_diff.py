"""The comparison of two rubric versions (`scoring.rubric_diff`): examples on
the 2012 sheets of the reference transcription, and properties over arbitrary
sheets and arbitrary edits of them."""

from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import definitions as d
from scoring.rubric_diff import (
    ADDED,
    CHANGED,
    ITEM,
    PART,
    REMOVED,
    SECTION,
    SHEET,
    Change,
    FieldChange,
    diff_rubrics,
)

from . import rubric_defs as r

diff_settings = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def rubric_2012() -> dict[str, d.SheetDef]:
    return {s.key: s for s in (r.new_business(), r.policy_change(), r.claims())}


def with_section(rubric, sheet_key, part_key, section_key, change) -> dict[str, d.SheetDef]:
    """The rubric with one section replaced by change(section)."""
    sheet = rubric[sheet_key]
    parts = tuple(
        replace(
            p,
            sections=tuple(change(s) if s.key == section_key else s for s in p.sections),
        )
        if p.key == part_key
        else p
        for p in sheet.parts
    )
    return {**rubric, sheet_key: replace(sheet, parts=parts)}


def kinds(changes) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.kind, c.level, c.path) for c in changes]


# --- examples --------------------------------------------------------------------


def test_the_same_version_has_no_changes():
    assert diff_rubrics(rubric_2012(), rubric_2012()) == ()


def test_an_item_whose_points_change_is_one_change_with_its_points():
    before = rubric_2012()
    section = r.section_named(before["new_business"], "扫描")
    first = section.items[0]
    after = with_section(
        before,
        "new_business",
        "p1",
        section.key,
        lambda s: replace(s, items=(replace(first, points=Decimal(15)), *s.items[1:])),
    )
    [change] = diff_rubrics(before, after)
    assert change == Change(
        kind=CHANGED,
        level=ITEM,
        path=("new_business", "p1", section.key, first.key),
        labels=("表二 一柜通新契约业务处理情况记录表", "新契约流程", "扫描", "审核整理投保资料"),
        points_before=Decimal(10),
        points_after=Decimal(15),
        fields=(FieldChange("points", Decimal(10), Decimal(15)),),
    )


def test_items_added_and_removed_are_listed_with_their_points():
    before = rubric_2012()
    section = r.section_named(before["new_business"], "扫描")
    new_item = d.ItemDef(key="i9", text="影像质量复核", points=Decimal(5))
    after = with_section(
        before,
        "new_business",
        "p1",
        section.key,
        lambda s: replace(s, items=(*s.items[1:], new_item), max_points=Decimal(25)),
    )
    changes = diff_rubrics(before, after)
    assert kinds(changes) == [
        (CHANGED, SECTION, ("new_business", "p1", section.key)),
        (ADDED, ITEM, ("new_business", "p1", section.key, "i9")),
        (REMOVED, ITEM, ("new_business", "p1", section.key, section.items[0].key)),
    ]
    section_change, added, removed = changes
    assert section_change.fields == (FieldChange("max_points", Decimal(30), Decimal(25)),)
    assert (added.points_before, added.points_after) == (None, Decimal(5))
    assert added.labels[-1] == "影像质量复核"
    assert (removed.points_before, removed.points_after) == (Decimal(10), None)
    assert removed.labels[-1] == "审核整理投保资料"


def test_a_text_change_keeps_the_item():
    before = rubric_2012()
    section = r.section_named(before["new_business"], "扫描")
    after = with_section(
        before,
        "new_business",
        "p1",
        section.key,
        lambda s: replace(
            s, items=(replace(s.items[0], text="审核整理全部投保资料"), *s.items[1:])
        ),
    )
    [change] = diff_rubrics(before, after)
    assert change.fields == (FieldChange("text", "审核整理投保资料", "审核整理全部投保资料"),)
    assert change.labels[-1] == "审核整理全部投保资料"  # named as it is now
    assert change.points_before == change.points_after == Decimal(10)


def test_an_item_moved_to_another_section_is_removed_from_one_and_added_to_the_other():
    before = rubric_2012()
    sheet = before["new_business"]
    intake, scanning = sheet.parts[0].sections[:2]
    moved = scanning.items[0]
    part = replace(
        sheet.parts[0],
        sections=(
            replace(intake, items=(*intake.items, moved)),
            replace(scanning, items=scanning.items[1:]),
            *sheet.parts[0].sections[2:],
        ),
    )
    after = {**before, "new_business": replace(sheet, parts=(part, *sheet.parts[1:]))}
    assert kinds(diff_rubrics(before, after)) == [
        (ADDED, ITEM, ("new_business", "p1", intake.key, moved.key)),
        (REMOVED, ITEM, ("new_business", "p1", scanning.key, moved.key)),
    ]


def test_a_sheet_added_lists_everything_in_it():
    before = rubric_2012()
    after = {**before, "claims_2013": replace(before["claims"], key="claims_2013")}
    changes = diff_rubrics(before, after)
    claims = before["claims"]
    assert changes[0] == Change(
        kind=ADDED,
        level=SHEET,
        path=("claims_2013",),
        labels=("表四 一柜通理赔业务处理情况记录表",),
        points_after=Decimal(100),
    )
    items = [c for c in changes if c.level == ITEM]
    assert len(items) == sum(len(s.items) for p in claims.parts for s in p.sections)
    assert all(c.kind == ADDED for c in changes)
    assert sum(c.points_after or 0 for c in items) == sum(
        i.points or 0 for p in claims.parts for s in p.sections for i in s.items
    )


def test_a_part_removed_lists_everything_in_it_after_what_changed():
    before = rubric_2012()
    sheet = before["new_business"]
    after = {
        **before,
        "new_business": replace(
            sheet, parts=sheet.parts[1:], total_points=Decimal(40), name="新契约（2013）"
        ),
    }
    changes = diff_rubrics(before, after)
    assert changes[0].kind == CHANGED and changes[0].level == SHEET
    assert changes[0].fields == (
        FieldChange("name", "一柜通新契约业务处理情况记录表", "新契约（2013）"),
        FieldChange("total_points", Decimal(100), Decimal(40)),
    )
    removed = changes[1:]
    assert removed[0] == Change(
        kind=REMOVED,
        level=PART,
        path=("new_business", "p1"),
        labels=("表二 新契约（2013）", "新契约流程"),  # its sheet as it is named now
        points_before=Decimal(60),
    )
    assert {c.kind for c in removed} == {REMOVED}
    assert [c.level for c in removed].count(ITEM) == 6


def test_checkpoints_have_no_points():
    before = rubric_2012()
    section = before["policy_change"].parts[0].sections[0]
    after = with_section(
        before,
        "policy_change",
        "p1",
        section.key,
        lambda s: replace(s, items=s.items[1:]),
    )
    [change] = diff_rubrics(before, after)
    assert (change.kind, change.points_before, change.points_after) == (REMOVED, None, None)


def test_changes_to_a_section_s_rules_are_listed():
    before = rubric_2012()
    section = next(s for s in before["policy_change"].parts[0].sections if s.exempt_servicing_items)
    after = with_section(
        before,
        "policy_change",
        "p1",
        section.key,
        lambda s: replace(s, not_applicable_rule=d.NA_NONE, exempt_servicing_items=frozenset()),
    )
    [change] = diff_rubrics(before, after)
    assert [f.field for f in change.fields] == ["not_applicable_rule", "exempt_servicing_items"]
    assert change.fields[1].after == ()


# --- properties ------------------------------------------------------------------


@st.composite
def rubrics(draw) -> dict[str, d.SheetDef]:
    sheets = draw(st.lists(r.sheet_defs(), min_size=1, max_size=3))
    return {f"s{n}": replace(sheet, key=f"s{n}") for n, sheet in enumerate(sheets)}


def _edit_section(section: d.SectionDef, draw) -> d.SectionDef:
    items = list(section.items)
    what = draw(st.sampled_from(["points", "text", "notice", "drop", "add", "max", "same"]))
    if what in ("points", "text", "notice", "drop") and items:
        n = draw(st.integers(0, len(items) - 1))
        if what == "points":
            items[n] = replace(items[n], points=draw(st.none() | r.points))
        elif what == "text":
            items[n] = replace(items[n], text=draw(st.sampled_from(["新内容", items[n].text])))
        elif what == "notice":
            items[n] = replace(items[n], is_notice_kind=not items[n].is_notice_kind)
        else:
            del items[n]
    elif what == "add":
        new_key = draw(st.sampled_from(["new1", "new2", *(i.key for i in section.items)]))
        if new_key not in {i.key for i in items}:
            items.insert(
                draw(st.integers(0, len(items))),
                d.ItemDef(key=new_key, text="新增验收内容", points=draw(st.none() | r.points)),
            )
    elif what == "max":
        return replace(section, max_points=draw(r.points))
    return replace(section, items=tuple(items))


def _edit_part(part: d.PartDef, draw) -> d.PartDef:
    what = draw(st.sampled_from(["sections", "total", "name", "drop_section", "same"]))
    if what == "total":
        return replace(part, total_points=draw(r.points))
    if what == "name":
        return replace(part, name="改名的流程")
    if what == "drop_section" and part.sections:
        n = draw(st.integers(0, len(part.sections) - 1))
        return replace(part, sections=part.sections[:n] + part.sections[n + 1 :])
    return replace(part, sections=tuple(_edit_section(s, draw) for s in part.sections))


@st.composite
def edited(draw, rubric: dict[str, d.SheetDef]) -> dict[str, d.SheetDef]:
    """The rubric with arbitrary edits at every level, as a new year's draft gets."""
    result = {}
    for key, sheet in rubric.items():
        what = draw(st.sampled_from(["parts", "drop", "total", "drop_part", "same"]))
        if what == "drop":
            continue
        if what == "total":
            sheet = replace(sheet, total_points=draw(r.points))
        elif what == "drop_part" and sheet.parts:
            sheet = replace(sheet, parts=sheet.parts[1:])
        elif what == "parts":
            sheet = replace(sheet, parts=tuple(_edit_part(p, draw) for p in sheet.parts))
        result[key] = sheet
    if draw(st.booleans()):
        result["added"] = replace(draw(r.sheet_defs()), key="added")
    return result


@st.composite
def rubric_pairs(draw):
    before = draw(rubrics())
    return before, draw(edited(before))


def points_of(change: Change, side: str) -> Decimal:
    value = change.points_before if side == "before" else change.points_after
    return value or Decimal(0)


def item_points(rubric: dict[str, d.SheetDef]) -> Decimal:
    return sum(
        (
            i.points or Decimal(0)
            for sheet in rubric.values()
            for p in sheet.parts
            for s in p.sections
            for i in s.items
        ),
        Decimal(0),
    )


def items_by_path(rubric: dict[str, d.SheetDef]) -> dict[tuple[str, ...], d.ItemDef]:
    return {
        (sheet.key, p.key, s.key, i.key): i
        for sheet in rubric.values()
        for p in sheet.parts
        for s in p.sections
        for i in s.items
    }


@diff_settings
@given(rubrics())
def test_a_version_compared_with_itself_has_no_changes(rubric):
    assert diff_rubrics(rubric, rubric) == ()


@diff_settings
@given(rubric_pairs())
def test_what_one_way_adds_the_other_way_removes(pair):
    before, after = pair
    forward, backward = diff_rubrics(before, after), diff_rubrics(after, before)

    def of(changes, kind):
        return {
            (c.level, c.path, c.points_before, c.points_after) for c in changes if c.kind == kind
        }

    assert of(forward, ADDED) == {(lv, p, a, b) for lv, p, b, a in of(backward, REMOVED)}
    assert of(forward, REMOVED) == {(lv, p, a, b) for lv, p, b, a in of(backward, ADDED)}
    changed_forward = {(c.path, c.fields) for c in forward if c.kind == CHANGED}
    changed_backward = {
        (c.path, tuple(FieldChange(f.field, f.after, f.before) for f in c.fields))
        for c in backward
        if c.kind == CHANGED
    }
    assert changed_forward == changed_backward


@diff_settings
@given(rubric_pairs())
def test_every_item_added_removed_or_changed_is_listed_once(pair):
    before, after = pair
    old, new = items_by_path(before), items_by_path(after)
    changes = [c for c in diff_rubrics(before, after) if c.level == ITEM]
    assert {c.path for c in changes if c.kind == ADDED} == new.keys() - old.keys()
    assert {c.path for c in changes if c.kind == REMOVED} == old.keys() - new.keys()
    assert {c.path for c in changes if c.kind == CHANGED} == {
        path for path in old.keys() & new.keys() if old[path] != new[path]
    }
    assert len({(c.kind, c.path) for c in changes}) == len(changes)
    for change in changes:
        if change.kind != ADDED:
            assert change.points_before == old[change.path].points
        if change.kind != REMOVED:
            assert change.points_after == new[change.path].points


@diff_settings
@given(rubric_pairs())
def test_the_item_points_listed_account_for_the_difference(pair):
    before, after = pair
    changes = [c for c in diff_rubrics(before, after) if c.level == ITEM]
    listed = sum((points_of(c, "after") - points_of(c, "before") for c in changes), Decimal(0))
    assert listed == item_points(after) - item_points(before)


def all_paths(rubric: dict[str, d.SheetDef]) -> set[tuple[str, ...]]:
    """The path of every sheet, part, section and item."""
    paths = set()
    for sheet in rubric.values():
        paths.add((sheet.key,))
        for p in sheet.parts:
            paths.add((sheet.key, p.key))
            for s in p.sections:
                paths.add((sheet.key, p.key, s.key))
                paths.update((sheet.key, p.key, s.key, i.key) for i in s.items)
    return paths


@diff_settings
@given(rubric_pairs())
def test_what_is_added_or_removed_is_listed_at_every_level(pair):
    before, after = pair
    changes = diff_rubrics(before, after)
    assert {c.path for c in changes if c.kind == ADDED} == all_paths(after) - all_paths(before)
    assert {c.path for c in changes if c.kind == REMOVED} == all_paths(before) - all_paths(after)
    levels = (SHEET, PART, SECTION, ITEM)
    assert all(c.level == levels[len(c.path) - 1] for c in changes)
