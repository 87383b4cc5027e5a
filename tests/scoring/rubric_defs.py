"""Sheet definitions for the scoring-engine tests, built as plain dataclasses.

The 2012 sheets (表二, 表三, 表四 and the 表五/表七 checklists) are read straight
from the reference transcription of seed 000's score sheets, kept in the
repository as `tests/data/rubrics-2012.yaml` (the shared reference, copied:
the tests read nothing outside the repository), with `yaml.safe_load`, so the
tests follow the reference and not the app's fixture. Keys
are synthetic ("p1", "p1s2", "p1s2i3") so that a test can tell an item's key
from its label (the item's text); look things up by name with `part_named`,
`section_named` and `item_named`.

Also: hypothesis strategies for arbitrary, internally consistent SheetDefs and
for valid and invalid answers to them.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from hypothesis import strategies as st

from scoring import definitions as d
from scoring import engine as e

REFERENCE_YAML = Path(__file__).resolve().parents[1] / "data" / "rubrics-2012.yaml"

# Seed 002: A ≥ 85, B 70–<85, C < 70.
GRADE_BANDS = (
    d.GradeBandDef("A", Decimal(85)),
    d.GradeBandDef("B", Decimal(70)),
    d.GradeBandDef("C", Decimal(0)),
)


@cache
def reference() -> dict:
    # A missing file fails (FileNotFoundError), never skips.
    with REFERENCE_YAML.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def reference_sheet(code: str) -> dict:
    for sheet in reference()["sheets"]:
        if sheet["code"] == code:
            return sheet
    raise KeyError(code)


# --- building SheetDefs from the YAML ------------------------------------

_SERVICING_ITEM_RULE = re.compile(r"servicing_item\s+in\s+\[(?P<items>[^\]]*)\]")


def _exempt_and_conditions(section: dict) -> tuple[frozenset[str], str]:
    """Split `not_applicable_when` into the servicing items that exempt the
    section and the conditions an inspector judges (e.g. no extra premium)."""
    exempt: set[str] = set()
    conditions: list[str] = []
    for rule in section.get("not_applicable_when", ()):
        match = _SERVICING_ITEM_RULE.search(rule)
        if match:
            exempt.update(x.strip() for x in match["items"].split(",") if x.strip())
        else:
            conditions.append(rule)
    return frozenset(exempt), "; ".join(conditions)


def _section(data: dict, key: str) -> d.SectionDef:
    scoring = data["scoring"]
    if scoring == d.ITEM_POINTS:
        items = tuple(
            d.ItemDef(
                key=f"{key}i{n}",
                text=item["text"],
                points=Decimal(item["points"]),
                is_notice_kind=bool(item.get("notice_kind", False)),
            )
            for n, item in enumerate(data["items"], start=1)
        )
        max_points = sum((i.points for i in items), Decimal(0))
    else:
        items = tuple(
            d.ItemDef(key=f"{key}i{n}", text=text)
            for n, text in enumerate(data.get("checkpoints", ()), start=1)
        )
        max_points = Decimal(data["points"])
    rule = d.NA_NONE
    if data.get("not_applicable_gets_full_points"):
        rule = d.NA_FULL_POINTS
    elif data.get("choose_one_kind"):
        rule = d.NA_CHOOSE_ONE_NOTICE_KIND
    exempt, conditions = _exempt_and_conditions(data)
    return d.SectionDef(
        key=key,
        name=data["name"],
        scoring=scoring,
        max_points=max_points,
        items=items,
        not_applicable_rule=rule,
        not_applicable_conditions=conditions,
        exempt_servicing_items=exempt,
    )


_GLOSS = re.compile(r"\s*\([A-Za-z ]+\)$")


def _part(data: dict, key: str, name: str, total) -> d.PartDef:
    name = _GLOSS.sub("", name)  # "理赔业务处理 (standard process)" → "理赔业务处理"
    sections = tuple(_section(s, f"{key}s{n}") for n, s in enumerate(data["sections"], start=1))
    return d.PartDef(key=key, name=name, total_points=Decimal(total), sections=sections)


def _scored_sheet(code: str) -> d.SheetDef:
    data = reference_sheet(code)
    if "parts" in data:
        grouping = d.PARTS
        parts = tuple(
            _part(p, f"p{n}", p["name"], p["subtotal"])
            for n, p in enumerate(data["parts"], start=1)
        )
    elif "subsheets" in data:
        grouping = d.ALTERNATIVES
        parts = tuple(
            _part(p, f"p{n}", p["name"], p["total"])
            for n, p in enumerate(data["subsheets"], start=1)
        )
    else:
        grouping = d.SINGLE
        parts = (_part(data, "p1", data["name"], data["total"]),)
    total = data.get("total")
    if total is None:  # 表四: every alternative totals the same
        total = parts[0].total_points
    return d.SheetDef(
        key=code,
        table_label=data["table"],
        name=data["name"],
        kind="scored",
        grouping=grouping,
        total_points=Decimal(total),
        business_line=data.get("business_line", ""),
        parts=parts,
        servicing_items=tuple(data.get("servicing_items", ())),
    )


@cache
def new_business() -> d.SheetDef:
    """表二: four parts (60/15/15/10) that add up to 100."""
    return _scored_sheet("new_business")


@cache
def policy_change() -> d.SheetDef:
    """表三: one form of six section-points sections."""
    return _scored_sheet("policy_change")


@cache
def claims() -> d.SheetDef:
    """表四: three alternative sub-sheets of 100."""
    return _scored_sheet("claims")


def checklist_requirements(code: str) -> tuple[d.ItemDef, ...]:
    """表五 / 表七: the requirements of a yes/no checklist."""
    return tuple(
        d.ItemDef(key=f"r{n}", text=text)
        for n, text in enumerate(reference_sheet(code)["requirements"], start=1)
    )


# --- lookups -------------------------------------------------------------


def part_named(sheet: d.SheetDef, name: str) -> d.PartDef:
    for part in sheet.parts:
        if part.name == name or part.name.startswith(name):
            return part
    raise KeyError(name)


def section_named(owner: d.SheetDef | d.PartDef, name: str) -> d.SectionDef:
    parts = owner.parts if isinstance(owner, d.SheetDef) else (owner,)
    found = [s for p in parts for s in p.sections if s.name == name]
    if len(found) != 1:
        raise KeyError(f"{name}: {len(found)} sections")
    return found[0]


def item_named(section: d.SectionDef, text: str) -> d.ItemDef:
    for item in section.items:
        if item.text == text:
            return item
    raise KeyError(text)


def part_of(sheet: d.SheetDef, section: d.SectionDef) -> d.PartDef:
    for part in sheet.parts:
        if section in part.sections:
            return part
    raise KeyError(section.key)


# --- answers -------------------------------------------------------------


def full_section_answer(section: d.SectionDef) -> d.SectionAnswer:
    """Every item (or the section) at its max; the first notice kind checked."""
    if section.scoring == d.SECTION_POINTS:
        return d.SectionAnswer(score=str(section.max_points))
    kinds = section.notice_kinds
    notice_kind = (
        kinds[0].key
        if kinds and section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND
        else None
    )
    return d.SectionAnswer(
        item_scores={i.key: str(i.points or 0) for i in section.items}, notice_kind=notice_kind
    )


def full_part_answers(part: d.PartDef, servicing_item: str | None = None) -> d.PartAnswers:
    return d.PartAnswers(
        sections={s.key: full_section_answer(s) for s in part.sections},
        servicing_item=servicing_item,
    )


def full_sheet_answers(sheet: d.SheetDef, alternative: str | None = None) -> d.SheetAnswers:
    servicing_item = sheet.servicing_items[-1] if sheet.servicing_items else None
    if sheet.grouping == d.ALTERNATIVES:
        alternative = alternative or sheet.parts[0].key
        return d.SheetAnswers(
            parts={alternative: full_part_answers(sheet.part(alternative), servicing_item)},
            chosen_alternative=alternative,
        )
    return d.SheetAnswers(parts={p.key: full_part_answers(p, servicing_item) for p in sheet.parts})


# --- hypothesis strategies -----------------------------------------------

# Points and scores: whole or with one decimal place, as the engine accepts.
points = st.integers(min_value=0, max_value=40).map(Decimal)


def one_decimal_between(low: Decimal, high: Decimal) -> st.SearchStrategy[Decimal]:
    """Decimals with at most one decimal place in [low, high]."""
    lo, hi = int(low * 10), int(high * 10)
    return st.integers(min_value=lo, max_value=hi).map(lambda n: Decimal(n) / 10)


@st.composite
def item_points_sections(draw, key: str, notice: bool | None = None) -> d.SectionDef:
    """An item-points section; `notice` forces (or forbids) notice kinds to choose from."""
    if notice is None:
        notice = draw(st.booleans())
    n_kinds = draw(st.integers(min_value=2, max_value=4)) if notice else 0
    n_plain = draw(st.integers(min_value=0 if notice else 1, max_value=4))
    items = []
    for n in range(n_kinds + n_plain):
        items.append(
            d.ItemDef(
                key=f"{key}i{n}",
                text=f"{key} item {n} 验收内容",
                points=draw(points),
                is_notice_kind=n < n_kinds,
            )
        )
    return d.SectionDef(
        key=key,
        name=f"{key} 操作环节",
        scoring=d.ITEM_POINTS,
        max_points=sum((i.points for i in items), Decimal(0)),
        items=tuple(items),
        not_applicable_rule=d.NA_CHOOSE_ONE_NOTICE_KIND if notice else d.NA_NONE,
    )


@st.composite
def section_points_sections(
    draw, key: str, servicing_items: tuple[str, ...], allows_na: bool | None = None
) -> d.SectionDef:
    """A section-points section; `allows_na` forces its not-applicable rule."""
    if allows_na is None:
        allows_na = draw(st.booleans())
    exempt = (
        frozenset(draw(st.sets(st.sampled_from(servicing_items), min_size=1)))
        if allows_na and servicing_items
        else frozenset()
    )
    return d.SectionDef(
        key=key,
        name=f"{key} 操作环节",
        scoring=d.SECTION_POINTS,
        max_points=draw(points),
        items=tuple(d.ItemDef(key=f"{key}i{n}", text=f"checkpoint {n}") for n in range(2)),
        not_applicable_rule=d.NA_FULL_POINTS if allows_na else d.NA_NONE,
        not_applicable_conditions="未产生补费" if allows_na and draw(st.booleans()) else "",
        exempt_servicing_items=exempt,
    )


@st.composite
def part_defs(
    draw, key: str, servicing_items: tuple[str, ...] = (), with_na: bool = False
) -> d.PartDef:
    """A part of one to three sections; `with_na`: the first one allows not applicable."""
    n_sections = draw(st.integers(min_value=1, max_value=3))
    sections = tuple(
        draw(
            section_points_sections(f"{key}s{n}", servicing_items, allows_na=True)
            if with_na and n == 0
            else st.one_of(
                item_points_sections(f"{key}s{n}"),
                section_points_sections(f"{key}s{n}", servicing_items),
            )
        )
        for n in range(n_sections)
    )
    total = sum((s.max_points for s in sections), Decimal(0))
    return d.PartDef(key=key, name=f"{key} 流程", total_points=total, sections=sections)


@st.composite
def sheet_defs(draw, grouping=None, with_na: bool = False) -> d.SheetDef:
    """An arbitrary scored sheet whose points add up like the model requires;
    `with_na`: every part has a section that may be marked not applicable."""
    grouping = grouping or draw(st.sampled_from([d.SINGLE, d.PARTS, d.ALTERNATIVES]))
    servicing_items = tuple(
        draw(st.lists(st.sampled_from(["退保", "保单复效", "交费方式变更", "X"]), unique=True))
    )
    n_parts = 1 if grouping == d.SINGLE else draw(st.integers(min_value=1, max_value=3))
    parts = tuple(draw(part_defs(f"p{n}", servicing_items, with_na)) for n in range(n_parts))
    total = sum((p.total_points for p in parts), Decimal(0))
    if grouping == d.ALTERNATIVES:
        total = max(p.total_points for p in parts)
    return d.SheetDef(
        key="sheet",
        table_label="表X",
        name="random sheet",
        kind="scored",
        grouping=grouping,
        total_points=total,
        parts=parts,
        servicing_items=servicing_items,
    )


@st.composite
def valid_section_answers(draw, section: d.SectionDef) -> d.SectionAnswer | None:
    """Possible (not necessarily complete) input for a section, as form strings
    or Decimals; None for a section the inspector never touched."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return None
    answer = d.SectionAnswer()
    if section.allows_not_applicable and draw(st.booleans()):
        answer.not_applicable = True
        answer.not_applicable_reason = draw(st.sampled_from(["", "未产生补费"]))
        return answer
    if section.allows_no_notice and draw(st.integers(min_value=0, max_value=3)) == 0:
        # No 二核 notice to check: valid only with a reason; a notice kind is ignored.
        answer.not_applicable = True
        answer.not_applicable_reason = draw(st.sampled_from(["本月无二核件", " 无二核通知书 "]))
        answer.notice_kind = draw(st.none() | st.sampled_from([i.key for i in section.items]))
        return answer
    render = draw(st.sampled_from([str, lambda x: x, lambda x: f" {x} "]))
    if section.scoring == d.SECTION_POINTS:
        answer.score = draw(
            st.none()
            | st.just("")
            | one_decimal_between(Decimal(0), section.max_points).map(render)
        )
        return answer
    if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
        answer.notice_kind = draw(
            st.none() | st.just("") | st.sampled_from([i.key for i in section.notice_kinds])
        )
    for item in section.items:
        value = draw(
            st.none() | one_decimal_between(Decimal(0), item.points or Decimal(0)).map(render)
        )
        if value is not None:
            answer.item_scores[item.key] = value
    return answer


@st.composite
def valid_part_answers(draw, part: d.PartDef, sheet: d.SheetDef) -> d.PartAnswers:
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        return d.PartAnswers(observed=False, not_observed_reason="无此类案件")
    servicing_item = None
    if sheet.servicing_items:
        servicing_item = draw(st.none() | st.sampled_from(sheet.servicing_items))
    sections = {}
    for section in part.sections:
        answer = draw(valid_section_answers(section))
        if answer is not None:
            sections[section.key] = answer
    return d.PartAnswers(sections=sections, servicing_item=servicing_item)


@st.composite
def valid_sheet_answers(draw, sheet: d.SheetDef) -> d.SheetAnswers:
    if sheet.grouping == d.ALTERNATIVES:
        part = draw(st.sampled_from(sheet.parts))
        return d.SheetAnswers(
            parts={part.key: draw(valid_part_answers(part, sheet))},
            chosen_alternative=part.key,
        )
    parts = {}
    for part in sheet.parts:
        if draw(st.integers(min_value=0, max_value=9)):  # sometimes left out entirely
            parts[part.key] = draw(valid_part_answers(part, sheet))
    return d.SheetAnswers(parts=parts)


@st.composite
def sheets_with_answers(draw, grouping=None, with_na: bool = False):
    sheet = draw(sheet_defs(grouping, with_na))
    return sheet, draw(valid_sheet_answers(sheet))


@dataclass(frozen=True)
class Bad:
    """An impossible value and what kind of impossible it is."""

    value: object
    why: str


def invalid_values(maximum: Decimal) -> st.SearchStrategy[Bad]:
    """Values no item or section with this maximum may take."""
    above = one_decimal_between(maximum + Decimal("0.1"), maximum + 100).map(
        lambda v: Bad(str(v), "above max")
    )
    negative = one_decimal_between(Decimal("0.1"), Decimal(100)).map(
        lambda v: Bad(f"-{v}", "negative")
    )
    not_a_number = st.sampled_from(
        ["abc", "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "1,5", "五", "1/2", "--1"]
    ).map(lambda v: Bad(v, "not a number"))
    special = st.sampled_from(
        [Decimal("NaN"), Decimal("Infinity"), float("nan"), float("inf"), True, False, [1], {}]
    ).map(lambda v: Bad(v, "not a number"))
    too_precise = (
        st.integers(min_value=0, max_value=max(int(maximum * 100) - 1, 0))
        .filter(lambda n: n % 10)
        .map(lambda n: Bad(str(Decimal(n) / 100), "more than one decimal place"))
    )
    strategies = [above, negative, not_a_number, special]
    if maximum >= Decimal("0.1"):
        strategies.append(too_precise)
    return st.one_of(strategies)


def score_section(
    section: d.SectionDef, answer: d.SectionAnswer | None, *, servicing_item: str | None = None
) -> e.SectionResult:
    """One section's result, or ScoringError with its problems (as score_part does)."""
    result, problems = e.assess_section(section, answer, servicing_item=servicing_item)
    if problems:
        raise e.ScoringError(problems)
    return result
