"""How sheet results add up to a specialist's and a unit's result. Pure functions.

- A sheet's result is its percentage of the points checked (`engine.score_sheet`).
- A specialist's result is the mean of their sheet percentages (表二–表四).
- A unit's (office's, or the branch's own) result is the mean of all its sheet
  percentages across 表二–表四: every scored sheet of every specialist counts
  once, so it is *not* the mean of the specialists' means.
- Where an office has both a self-inspection and a head-office check, both are
  shown and the head-office check ranks (`ranking_visit`); ranks are competition
  ranks, 1, 2, 2, 4 (`competition_ranks`).
- Grade bands apply to both. Checklists (表五, 表七) are shown beside these
  results as compliance rates (`engine.compliance_rate`) and do not enter them; KPIs
  show pass/fail against their threshold (`kpi_passed`).

Sheets without a percentage (nothing observed) are left out; with no sheet at
all the result is None and so is the grade.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from . import definitions as d
from .engine import grade_for, mean_percent


@dataclass(frozen=True)
class Result:
    percent: Decimal | None
    grade: str | None
    sheet_count: int


def _result(percents: Iterable[Decimal | None], bands: Iterable[d.GradeBandDef]) -> Result:
    values = [p for p in percents if p is not None]
    percent = mean_percent(values)
    return Result(percent=percent, grade=grade_for(percent, bands), sheet_count=len(values))


def specialist_result(
    percents: Iterable[Decimal | None], bands: Iterable[d.GradeBandDef]
) -> Result:
    """A specialist's result: the mean of their scored sheets' percentages, and its grade."""
    return _result(percents, bands)


def unit_result(percents: Iterable[Decimal | None], bands: Iterable[d.GradeBandDef]) -> Result:
    """A unit's result: the mean of every scored sheet percentage (表二–表四) of
    the unit's visit, whoever the specialist, and its grade."""
    return _result(percents, bands)


def kpi_passed(value: Decimal | None, threshold: Decimal | None) -> bool | None:
    """A KPI figure passes when it reaches its threshold (the branch's rollout
    batch's: balanced acceptance ≥ 85 % or 70 %, mixed acceptance 100 %);
    None while the figure or the threshold is missing."""
    if value is None or threshold is None:
        return None
    return value >= threshold


def ranking_visit[T](self_inspection: T | None, head_office_check: T | None) -> T | None:
    """The visit whose result ranks an office: the head-office check when there
    is one, else the branch's self-inspection."""
    return head_office_check if head_office_check is not None else self_inspection


def competition_ranks[T](
    rows: Iterable[T], key: Callable[[T], Decimal | None]
) -> Iterator[tuple[T, int]]:
    """(row, rank) by descending key with competition ranks 1, 2, 2, 4 …; rows
    whose key is None are left out (unranked)."""
    ranked = sorted((r for r in rows if key(r) is not None), key=key, reverse=True)
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        value = key(row)
        if value != previous:
            rank, previous = position, value
        yield row, rank


@dataclass(frozen=True)
class ApprovedVisit:
    """What a campaign's standings need of one approved visit."""

    branch_id: int
    office_id: int | None  # None: the branch's own counters
    head_office_check: bool
    percents: tuple[Decimal | None, ...]  # its scored sheets' stored percentages


@dataclass(frozen=True)
class Standing:
    result: Result
    rank: int | None  # competition rank; None while unscored


@dataclass(frozen=True)
class Standings:
    #: (branch id, office id or None) → the unit's standing among every unit
    units: dict[tuple[int, int | None], Standing]
    #: branch id → the branch's standing among the branches
    branches: dict[int, Standing]


def standings(visits: Iterable[ApprovedVisit], bands: Iterable[d.GradeBandDef]) -> Standings:
    """The units' and branches' results and ranks over approved visits given in
    approval order (start date, approval time): per unit the latest visit of
    each kind counts and `ranking_visit` picks the one that ranks; a branch's
    result is `unit_result` over its units' ranking visits' sheets, as the
    consolidated report computes them."""
    bands = tuple(bands)
    latest: dict[tuple[int, int | None], dict[bool, ApprovedVisit]] = {}
    for visit in visits:
        latest.setdefault((visit.branch_id, visit.office_id), {})[visit.head_office_check] = visit
    unit_results: dict[tuple[int, int | None], Result] = {}
    branch_percents: dict[int, list[Decimal | None]] = {}
    for key, kinds in latest.items():
        ranking = ranking_visit(kinds.get(False), kinds.get(True))
        assert ranking is not None  # every key has at least one visit
        unit_results[key] = unit_result(ranking.percents, bands)
        branch_percents.setdefault(key[0], []).extend(ranking.percents)
    branch_results = {b: unit_result(p, bands) for b, p in branch_percents.items()}
    return Standings(
        units=_ranked(unit_results),
        branches=_ranked(branch_results),
    )


def _ranked[K](results: dict[K, Result]) -> dict[K, Standing]:
    ranks = dict(competition_ranks(results, key=lambda k: results[k].percent))
    return {k: Standing(result=r, rank=ranks.get(k)) for k, r in results.items()}
