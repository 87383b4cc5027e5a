"""A campaign's results page (and its Excel download): the consolidated report's
branch and unit rows (`campaign.campaign_results`, the one selector of both),
narrowed to what the user may see and asked for, and sorted.

- Who sees which branches: head office every branch of the campaign, a branch
  manager their own (`inspections.access.visible_branches`); ranks stay among
  the whole campaign. Whether the user may see units' results at all is the
  view's question (`inspections.access.sees_unit_results`).
- Filters: a rollout batch, a branch; they narrow the rows the selector reads.
- Sorting: one key for both tables (branches, units), ascending or descending;
  rows without a value (no approved visit, no KPI figure) come last either way,
  and ties keep the organisation's order.

Both tables are laid out here, once, as columns and cells (`Column`, `Cell`):
the page renders them and the Excel download writes them, so the file is the
table shown, with the same filters and sort.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from inspections import access as inspection_access
from inspections.models import Campaign, User, Visit
from inspections.models.ordering import branch_order
from scoring.models import RolloutBatch

from .campaign import BranchRow, CampaignResults, UnitRow, campaign_results

ORDER = "order"  # the organisation's order: branches, then each branch's units
SORT_KEYS = ("order", "score", "rank", "grade", "kpi", "compliance", "open", "overdue")
#: keys whose natural direction is "most first" (a score, a count of actions)
DESCENDING_FIRST = frozenset({"score", "open", "overdue", "compliance"})


@dataclass(frozen=True)
class ResultsQuery:
    """What the page was asked for, already validated (`reports.forms.ResultsQueryForm`)."""

    batch: str = ""  # a RolloutBatch value; "" for every batch
    branch_id: int | None = None
    sort: str = ORDER
    descending: bool = False

    @property
    def sort_param(self) -> str:
        return f"-{self.sort}" if self.descending else self.sort


@dataclass(frozen=True)
class Column:
    label: str
    sort: str = ""  # its sort key, "" when the table does not sort by it
    numeric: bool = False
    series: bool = False  # charted (charts.js reads the th's data-series)


@dataclass(frozen=True)
class Cell:
    """A value as the Excel cell holds it (a number stays a number) and as the page shows it."""

    value: object  # Decimal, int, str or None
    href: str = ""

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, Decimal):
            return f"{self.value:.2f}"
        return str(self.value)

    @property
    def data_value(self) -> str:
        """The raw number for charts.js, "" for none."""
        if isinstance(self.value, bool) or not isinstance(self.value, (int, Decimal)):
            return ""
        return str(self.value)


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def lines(self) -> list[list[tuple[Column, Cell]]]:
        """Each row's cells with their columns (for the page's template)."""
        return [list(zip(self.columns, cells, strict=True)) for cells in self.rows]


@dataclass
class ResultsTable:
    results: CampaignResults
    query: ResultsQuery
    branches: list[BranchRow]  # sorted
    units: list[tuple[BranchRow, UnitRow]]  # every unit of the branches shown, sorted
    branch_table: Table
    unit_table: Table
    distribution_table: Table
    grades_table: Table


def results_branches(*, campaign: Campaign, user: User) -> list[tuple[int, str, str]]:
    """(id, name, rollout batch) of the campaign's branches the user may see, in
    the organisation's order: the branch filter's choices."""
    return list(
        campaign.branches.filter(pk__in=inspection_access.visible_branches(user).values("pk"))
        .order_by(*branch_order())
        .values_list("pk", "name", "rollout_batch")
    )


def _kpi(passed: bool | None) -> int | None:
    # pass before fail: ascending reads "attained first"
    return None if passed is None else (0 if passed else 1)


def _branch_kpi(row: BranchRow) -> int | None:
    balanced, mixed = row.balanced_kpi.passed, row.mixed_kpi_passed
    if balanced is False or mixed is False:
        return 1
    if balanced is None or mixed is None:
        return None
    return 0


def _sorted[T](rows: list[T], key: Callable[[T], object], *, descending: bool) -> list[T]:
    """Rows by `key`, rows whose key is None last; a stable sort, so ties keep
    the order the rows came in (the organisation's)."""
    valued = [r for r in rows if key(r) is not None]
    empty = [r for r in rows if key(r) is None]
    return sorted(valued, key=key, reverse=descending) + empty


def results_table(
    *, campaign: Campaign, user: User, today: datetime.date, query: ResultsQuery
) -> ResultsTable:
    """The results page's two tables, in a fixed number of queries whatever the
    number of visits."""
    visible = results_branches(campaign=campaign, user=user)
    branch_ids = [
        pk
        for pk, _name, batch in visible
        if (not query.batch or batch == query.batch)
        and (query.branch_id is None or pk == query.branch_id)
    ]
    results = campaign_results(campaign=campaign, today=today, branch_ids=branch_ids)
    grade_order = {grade: index for index, grade in enumerate(results.grades)}
    checklists = [s.code for s in results.checklist_sheets]

    def compliance(unit: UnitRow):
        # the mean of the ranking visit's checklist rates (表五, 表七)
        return _mean([unit.ranking.checklist_rates.get(code) for code in checklists])

    branch_keys: dict[str, Callable[[BranchRow], object]] = {
        "score": lambda b: b.percent,
        "rank": lambda b: b.rank,
        "grade": lambda b: grade_order.get(b.grade) if b.grade else None,
        "compliance": lambda b: _mean([b.checklist_rates.get(code) for code in checklists]),
        "kpi": _branch_kpi,
        "open": lambda b: b.open_actions,
        "overdue": lambda b: b.overdue_actions,
    }
    unit_keys: dict[str, Callable[[tuple[BranchRow, UnitRow]], object]] = {
        "score": lambda pair: pair[1].percent,
        "rank": lambda pair: pair[1].rank,
        "grade": lambda pair: grade_order.get(pair[1].grade) if pair[1].grade else None,
        "kpi": lambda pair: _kpi(pair[1].mixed_kpi.passed) if pair[1].mixed_kpi else None,
        "compliance": lambda pair: compliance(pair[1]) if pair[1].ranking else None,
        "open": lambda pair: pair[1].open_actions,
        "overdue": lambda pair: pair[1].overdue_actions,
    }
    branches = list(results.branches)
    units = [(branch, unit) for branch in branches for unit in branch.units]
    if query.sort in branch_keys:
        branches = _sorted(branches, branch_keys[query.sort], descending=query.descending)
    elif query.sort == ORDER and query.descending:
        branches.reverse()
    if query.sort in unit_keys:
        units = _sorted(units, unit_keys[query.sort], descending=query.descending)
    elif query.sort == ORDER and query.descending:
        units.reverse()
    return ResultsTable(
        results=results,
        query=query,
        branches=branches,
        units=units,
        branch_table=_branch_table(results, branches),
        unit_table=_unit_table(results, units),
        distribution_table=_distribution_table(results),
        grades_table=_grades_table(results, branches),
    )


def _mean(rates: list) -> Decimal | None:
    """What sorts by compliance: the mean of the rates there are."""
    rates = [r for r in rates if r is not None]
    return sum(rates) / len(rates) if rates else None


def _pass_fail_labels() -> dict[bool | None, str]:
    # Translated once per table, not once per row: a national campaign has 880 units.
    return {None: _("no figure"), True: _("pass"), False: _("fail")}


def _filtered_to(results: CampaignResults, branch_id: int) -> str:
    url = reverse("campaign-results", args=[results.campaign.pk])
    return f"{url}?{urlencode({'branch': branch_id})}"


def _branch_table(results: CampaignResults, branches: list[BranchRow]) -> Table:
    table = Table(
        [
            Column(_("Branch"), ORDER),
            Column(_("Rank (of %(count)s)") % {"count": results.ranked_branches}, "rank", True),
            Column(_("Rollout batch")),
            *[Column(f"{s.table_label} (%)", numeric=True) for s in results.scored_sheets],
            Column(_("Overall (%)"), "score", True, series=True),
            Column(_("Grade"), "grade"),
            *[
                Column(
                    _("%(sheet)s compliance (%%)") % {"sheet": s.table_label},
                    "compliance",
                    True,
                )
                for s in results.checklist_sheets
            ],
            Column(_("Balanced acceptance rate (%)"), numeric=True),
            Column(_("Attained"), "kpi"),
            Column(_("Mixed acceptance rate: all offices attained")),
            Column(_("Open actions"), "open", True),
            Column(_("Overdue actions"), "overdue", True),
        ]
    )
    passed = _pass_fail_labels()
    for b in branches:
        table.rows.append(
            [
                Cell(b.name),
                Cell(b.rank),
                Cell(b.rollout_batch_label or None),
                *[Cell(b.sheet_percents.get(s.code)) for s in results.scored_sheets],
                Cell(b.percent, href=_filtered_to(results, b.branch_id)),
                Cell(b.grade),
                *[Cell(b.checklist_rates.get(s.code)) for s in results.checklist_sheets],
                Cell(b.balanced_kpi.value),
                Cell(passed[b.balanced_kpi.passed]),
                Cell(passed[b.mixed_kpi_passed]),
                Cell(b.open_actions),
                Cell(b.overdue_actions),
            ]
        )
    return table


def _unit_table(results: CampaignResults, units: list[tuple[BranchRow, UnitRow]]) -> Table:
    checklists = results.checklist_sheets
    table = Table(
        [
            Column(_("Unit"), ORDER),
            Column(_("Branch")),
            Column(_("Visit that ranks")),
            Column(_("Overall (%)"), "score", True),
            Column(_("Grade"), "grade"),
            Column(_("Rank (of %(count)s)") % {"count": results.ranked_units}, "rank", True),
            Column(_("Rank in branch"), numeric=True),
            *[
                Column(
                    _("%(sheet)s compliance (%%)") % {"sheet": s.table_label},
                    "compliance",
                    True,
                )
                for s in checklists
            ],
            Column(_("Mixed acceptance rate (%)"), numeric=True),
            Column(_("Attained"), "kpi"),
            Column(_("Open actions"), "open", True),
            Column(_("Overdue actions"), "overdue", True),
        ]
    )
    passed = _pass_fail_labels()
    kinds = {kind.value: str(kind.label) for kind in Visit.Kind}
    no_visit = _("no approved visit")
    for branch, unit in units:
        ranking = unit.ranking
        table.rows.append(
            [
                Cell(unit.name),
                Cell(branch.name),
                Cell(kinds[ranking.kind] if ranking else no_visit),
                Cell(unit.percent),
                Cell(unit.grade),
                Cell(unit.rank),
                Cell(unit.branch_rank),
                *[
                    Cell(ranking.checklist_rates.get(s.code) if ranking else None)
                    for s in checklists
                ],
                Cell(unit.mixed_kpi.value if unit.mixed_kpi else None),
                Cell(passed[unit.mixed_kpi.passed] if unit.mixed_kpi else None),
                Cell(unit.open_actions),
                Cell(unit.overdue_actions),
            ]
        )
    return table


def _distribution_table(results: CampaignResults) -> Table:
    table = Table([Column(_("Score (%)")), Column(_("Units"), numeric=True, series=True)])
    table.rows = [[Cell(label), Cell(count)] for label, count in results.distribution()]
    return table


def _grades_table(results: CampaignResults, branches: list[BranchRow]) -> Table:
    """Units per grade and branch (their ranking visits), the branches in the page's order."""
    table = Table(
        [
            Column(_("Branch")),
            *[Column(grade, numeric=True, series=True) for grade in results.grades],
        ]
    )
    for b in branches:
        counts = b.grade_counts(results.grades)
        table.rows.append([Cell(b.name), *[Cell(counts[g]) for g in results.grades]])
    return table


def batch_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in RolloutBatch.choices]
