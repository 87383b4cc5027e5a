"""A unit's results across campaigns (issue 15, point 4): an office's, or a
branch's over its units, one column per campaign in which it has a counting
visit (`Visit.counts_in_results`: the consolidated report's rule), ordered by
period start.

Rows: the overall score (`scoring.results.unit_result` over the counting
visits' stored sheet percentages, as the consolidated report computes it),
each sheet's (a scored sheet: the mean of its percentages; a checklist: its
compliance rate), and each section's share of the applicable points lost (a
checklist section: of the requirements answered, the share not complied with),
grouped in the database from `ItemOutcome`.

Sheets, sections and items are matched across rubric versions by their codes
(sheet, part, section, item), which a copied version keeps. What exists in
some of the campaigns' versions only is listed apart (`UnitTrend.unmatched`).

A fixed number of queries whatever the number of campaigns and visits.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from inspections.models import Campaign, ItemOutcome, SheetRecord, Visit
from scoring.engine import compliance_rate
from scoring.models import Item, Section, Sheet
from scoring.outcomes import share_lost
from scoring.results import Result, unit_result

from .losses import band

SectionKey = tuple[str, str, str]  # sheet, part, section codes


@dataclass(frozen=True)
class TrendColumn:
    campaign: Campaign
    rubric: str  # the rubric version's label
    visits: int  # counting visits behind the column


@dataclass
class TrendRow:
    label: str
    values: list[Decimal | None]  # one per column
    sheet_code: str = ""
    requirement: bool = False  # a checklist (compliance rate, share not complied with)
    matched: bool = True  # the same (its items too) in every column's rubric version
    results: list[Result] = field(default_factory=list)  # the overall row: with grades

    @property
    def cells(self) -> list[tuple[Decimal | None, str]]:
        """(share lost, band class) per column, for a section's row."""
        return [(value, lost_band(value)) for value in self.values]


def lost_band(value: Decimal | None) -> str:
    """The CSS class of a share lost (%): the heat map's bands (`losses.band`),
    so a table reads without its chart."""
    index = band(value)
    return "" if index is None else f"loss-band-{index}"


@dataclass(frozen=True)
class Unmatched:
    """A section or an item present in some of the campaigns' rubric versions only."""

    kind: str  # "section" or "item"
    table_label: str
    section: str
    item: str
    versions: tuple[str, ...]  # the versions that have it
    missing: tuple[str, ...]  # the versions that do not


@dataclass(frozen=True)
class SheetBlock:
    label: str
    requirement: bool
    rows: list[TrendRow]  # its sections


@dataclass
class UnitTrend:
    columns: list[TrendColumn]
    overall: TrendRow
    sheets: list[TrendRow]  # scored sheets, then checklists
    sections: list[SheetBlock]
    versions: list[tuple[str, list[str]]]  # (rubric version, its campaigns' names)
    unmatched: list[Unmatched]

    @property
    def versions_differ(self) -> bool:
        return len(self.versions) > 1

    @property
    def scored_sheets(self) -> list[TrendRow]:
        return [row for row in self.sheets if not row.requirement]

    @property
    def chart_rows(self) -> list[tuple[TrendColumn, list[str]]]:
        """Per campaign, the overall score then each scored sheet's, as raw
        decimals ("" for none): the line chart's table (static/js/charts.js)."""
        series = [self.overall, *self.scored_sheets]
        return [
            (column, ["" if row.values[i] is None else str(row.values[i]) for row in series])
            for i, column in enumerate(self.columns)
        ]


def _counting_visits(branch_id: int, office_id: int | None, whole_branch: bool):
    visits = Visit.objects.filter(counts_in_results=True, branch_id=branch_id)
    if not whole_branch:
        visits = visits.filter(office_id=office_id)
    return visits


def unit_trend(*, branch_id: int, office_id: int | None = None, whole_branch: bool = False):
    """The trend of an office (or of the branch's own counters, `office_id`
    None), or of the whole branch over its units' counting visits."""
    visit_campaigns = dict(
        _counting_visits(branch_id, office_id, whole_branch).values_list("pk", "campaign_id")
    )
    campaigns = list(
        Campaign.objects.filter(pk__in=set(visit_campaigns.values()))
        .select_related("rubric")
        .prefetch_related("grade_bands")
        .order_by("period_start", "pk")
    )
    position = {c.pk: i for i, c in enumerate(campaigns)}
    counts = defaultdict(int)
    for campaign_id in visit_campaigns.values():
        counts[campaign_id] += 1
    columns = [
        TrendColumn(campaign=c, rubric=str(c.rubric), visits=counts[c.pk]) for c in campaigns
    ]
    width = len(columns)

    # Overall and scored sheets: the stored percentages (the reports' numbers).
    percents: dict[int, list] = defaultdict(list)
    by_sheet: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    records = SheetRecord.objects.filter(visit_id__in=list(visit_campaigns)).order_by()
    for visit_id, code, percent in records.values_list("visit_id", "sheet__code", "percent"):
        column = position[visit_campaigns[visit_id]]
        percents[column].append(percent)
        by_sheet[code][column].append(percent)
    bands = [c.grade_band_defs() for c in campaigns]
    results = [unit_result(percents[i], bands[i]) for i in range(width)]
    overall = TrendRow(label="", values=[r.percent for r in results], results=results)

    # Sections, grouped in the database.
    grouped = (
        ItemOutcome.objects.filter(visit_id__in=list(visit_campaigns))
        .values("campaign_id", "sheet_code", "part_code", "section_code")
        .annotate(
            applicable=Sum("points", filter=Q(not_applicable=False)),
            points_lost=Sum("lost"),
            complied=Count("pk", filter=Q(compliant=True)),
            not_complied=Count("pk", filter=Q(compliant=False)),
            scored=Count("points"),
        )
        .order_by()
    )
    section_values: dict[SectionKey, list] = defaultdict(lambda: [None] * width)
    checklist_counts: dict[str, list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in columns])
    for row in grouped:
        key = (row["sheet_code"], row["part_code"], row["section_code"])
        column = position[row["campaign_id"]]
        if row["scored"]:
            section_values[key][column] = share_lost(row["points_lost"], row["applicable"])
        else:
            answered = row["complied"] + row["not_complied"]
            section_values[key][column] = share_lost(Decimal(row["not_complied"]), answered)
            counts_of = checklist_counts[row["sheet_code"]][column]
            counts_of[0] += row["complied"]
            counts_of[1] += row["not_complied"]

    rubrics: dict[int, str] = {}  # in the columns' order, by each version's last use
    for campaign in campaigns:
        rubrics.pop(campaign.rubric_id, None)
        rubrics[campaign.rubric_id] = str(campaign.rubric)
    layout = _layout(rubrics)
    sheets, blocks = [], []
    for sheet_code, label, kind in layout.sheets:
        requirement = kind == Sheet.Kind.CHECKLIST
        if requirement:
            values = [compliance_rate(*counts) for counts in checklist_counts[sheet_code]]
        else:
            values = [unit_result(by_sheet[sheet_code][i], bands[i]).percent for i in range(width)]
        sheets.append(
            TrendRow(
                label=label,
                values=values,
                sheet_code=sheet_code,
                requirement=requirement,
                matched=sheet_code not in layout.partial_sheets,
            )
        )
        rows = [
            TrendRow(
                label=name,
                values=section_values.get(key, [None] * width),
                sheet_code=sheet_code,
                requirement=requirement,
                matched=key not in layout.partial_sections,
            )
            for key, name in layout.sections
            if key[0] == sheet_code
        ]
        blocks.append(SheetBlock(label=label, requirement=requirement, rows=rows))

    versions: dict[str, list[str]] = {}
    for column in columns:
        versions.setdefault(column.rubric, []).append(column.campaign.name)
    return UnitTrend(
        columns=columns,
        overall=overall,
        sheets=sheets,
        sections=blocks,
        versions=list(versions.items()),
        unmatched=layout.unmatched if len(versions) > 1 else [],
    )


@dataclass
class _Layout:
    sheets: list[tuple[str, str, str]]  # (code, label, kind) in the latest version's order
    sections: list[tuple[SectionKey, str]]  # (key, name)
    partial_sheets: set[str]
    #: sections not in every version, or whose items are not
    partial_sections: set[SectionKey]
    unmatched: list[Unmatched]


def _layout(versions: dict[int, str]) -> _Layout:
    """The sheets and sections of the given rubric versions (id: label), matched
    by code, in the order of the latest version that has each (later versions
    first: the order of the columns' last campaign), and what only some have."""
    order = list(versions)  # the columns' order: the latest last
    rank = {rubric_id: i for i, rubric_id in enumerate(reversed(order))}
    kinds = (Sheet.Kind.SCORED, Sheet.Kind.CHECKLIST)
    rows = Section.objects.filter(
        part__sheet__rubric_id__in=order, part__sheet__kind__in=kinds
    ).values_list(
        "part__sheet__rubric_id",
        "part__sheet__code",
        "part__sheet__table_label",
        "part__sheet__name",
        "part__sheet__kind",
        "part__sheet__order",
        "part__code",
        "part__order",
        "code",
        "name",
        "order",
    )
    sheets: dict[str, tuple] = {}
    sections: dict[SectionKey, tuple] = {}
    section_versions: dict[SectionKey, set[int]] = defaultdict(set)
    sheet_versions: dict[str, set[int]] = defaultdict(set)
    labels: dict[SectionKey, str] = {}
    for rubric_id, code, label, name, kind, s_order, part, p_order, sec, sec_name, order_ in rows:
        key = (code, part, sec)
        sheet_versions[code].add(rubric_id)
        section_versions[key].add(rubric_id)
        here = rank[rubric_id]
        if code not in sheets or here < sheets[code][0]:
            sheets[code] = (here, s_order, f"{label} {name}", kind)
        if key not in sections or here < sections[key][0]:
            sections[key] = (here, s_order, p_order, order_, sec_name)
        labels[code, part, sec] = label
    everyone = set(order)
    sheet_list = sorted(sheets.items(), key=lambda kv: (kv[1][1], kv[1][0], kv[0]))
    section_list = sorted(sections.items(), key=lambda kv: (kv[1][1], kv[1][2], kv[1][3], kv[0]))
    partial_sections = {k for k, v in section_versions.items() if v != everyone}

    def split(have: set[int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (
            tuple(versions[r] for r in order if r in have),
            tuple(versions[r] for r in order if r not in have),
        )

    unmatched = []
    changed = set(partial_sections)
    if len(versions) > 1:
        for key, info in section_list:
            if key in partial_sections:
                unmatched.append(
                    Unmatched("section", labels[key], info[4], "", *split(section_versions[key]))
                )
        items, item_sections = _unmatched_items(
            versions, order, sections, partial_sections, labels, split
        )
        unmatched += items
        changed |= item_sections
    return _Layout(
        sheets=[(code, info[2], info[3]) for code, info in sheet_list],
        sections=[(key, info[4]) for key, info in section_list],
        partial_sheets={c for c, v in sheet_versions.items() if v != everyone},
        partial_sections=changed,
        unmatched=unmatched,
    )


def _unmatched_items(versions, order, sections, partial_sections, labels, split):
    """Items of sections every version has, present in some versions only (an
    item of a section some versions lack is listed with its section)."""
    have: dict[tuple, set[int]] = defaultdict(set)
    texts: dict[tuple, str] = {}
    items = Item.objects.filter(section__part__sheet__rubric_id__in=order).values_list(
        "section__part__sheet__rubric_id",
        "section__part__sheet__code",
        "section__part__code",
        "section__code",
        "code",
        "text",
    )
    for rubric_id, sheet, part, section, code, text in items.order_by(
        "section__part__sheet__order", "section__part__order", "section__order", "order"
    ):
        key = (sheet, part, section, code)
        if key[:3] not in sections or key[:3] in partial_sections:
            continue
        have[key].add(rubric_id)
        texts[key] = text
    everyone = set(order)
    partial = [(key, rubric_ids) for key, rubric_ids in have.items() if rubric_ids != everyone]
    return [
        Unmatched("item", labels[key[:3]], sections[key[:3]][4], texts[key], *split(rubric_ids))
        for key, rubric_ids in partial
    ], {key[:3] for key, _ids in partial}
