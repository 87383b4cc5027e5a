"""Where points are lost (issue 15, point 3): for a campaign, the share of the
applicable points lost per rubric section and item, nationally or for a rollout
batch or a branch; branches × sections as a heat map; the ten items that lose
the most; checklist requirements by non-compliance rate; and the outcomes
behind any of these figures.

Read from `ItemOutcome` (the approved visits' summary) with a few grouped
queries whatever the number of visits, and only for the visits that rank their
unit (`Visit.counts_in_results`): the consolidated report's rule, so the
figures match the reports. Not-applicable items count nowhere (they score their
full points). Texts come from the campaign's rubric, matched by code.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from inspections import access
from inspections.models import Branch, Campaign, ItemOutcome, User, Visit
from inspections.models.ordering import branch_order, unit_order
from scoring import definitions as d
from scoring.models import RolloutBatch, Sheet
from scoring.outcomes import share_lost
from scoring.selectors import comparable_definitions

ZERO = Decimal(0)
TOP = 10

# Heat map bands of share lost (percent, lower bounds): the cell's CSS class
# `loss-band-N` colours it without JavaScript, and the legend names them.
BANDS = (Decimal(0), Decimal("0.1"), Decimal(5), Decimal(10), Decimal(20), Decimal(30))


def band(share: Decimal | None) -> int | None:
    """The heat map band of a share lost: 0 nothing lost … 5 at least 30 %."""
    if share is None:
        return None
    return max(i for i, lower in enumerate(BANDS) if share >= lower)


@dataclass(frozen=True)
class Scope:
    """Whose visits count: the campaign's, of one branch and/or one rollout batch.
    A branch manager's scope is always their own branch (the view sees to it)."""

    campaign: Campaign
    user: User
    branch: Branch | None = None
    batch: str = ""

    @property
    def batch_label(self) -> str:
        return str(dict(RolloutBatch.choices).get(self.batch, ""))

    def params(self) -> dict[str, str]:
        params = {}
        if self.branch is not None:
            params["branch"] = str(self.branch.pk)
        if self.batch:
            params["batch"] = self.batch
        return params


@dataclass(frozen=True)
class Loss:
    """Applicable points checked and lost, over how many visits."""

    checked: Decimal = ZERO
    lost: Decimal = ZERO
    visits: int = 0

    @property
    def share(self) -> Decimal | None:
        return share_lost(self.lost, self.checked)

    @property
    def band(self) -> int | None:
        return band(self.share)


NO_LOSS = Loss()


@dataclass(frozen=True)
class Key:
    """An item (or a section scored whole: item = the section's code) by its codes."""

    sheet: str
    part: str
    section: str
    item: str = ""

    def query(self, **extra) -> str:
        """The drill-down's query string for this key (and the scope's filters)."""
        params = {"sheet": self.sheet, "part": self.part, "section": self.section}
        if self.item:
            params["item"] = self.item
        params.update({k: v for k, v in extra.items() if v})
        return urlencode(params)


@dataclass
class ItemLoss:
    key: Key
    sheet_label: str
    section_name: str
    text: str
    loss: Loss
    order: int  # the rubric's order: the last tie-break
    query: str = ""


@dataclass
class SectionLoss:
    key: Key
    sheet_label: str
    part_name: str
    name: str
    max_points: Decimal
    whole: bool  # scored as a whole: no item lines
    loss: Loss
    items: list[ItemLoss] = field(default_factory=list)
    query: str = ""

    @property
    def heading(self) -> str:
        return f"{self.sheet_label} {self.name}"


@dataclass
class SheetLosses:
    label: str
    name: str
    sections: list[SectionLoss]
    loss: Loss


@dataclass
class HeatCell:
    loss: Loss
    query: str


@dataclass
class HeatRow:
    label: str
    cells: list[HeatCell]
    loss: Loss


@dataclass
class RequirementRate:
    key: Key
    sheet_label: str
    section_name: str
    text: str
    answered: int
    non_compliant: int
    visits: int
    order: int
    query: str = ""

    @property
    def rate(self) -> Decimal | None:
        # The same percentage (one decimal) as a share of points lost.
        return share_lost(Decimal(self.non_compliant), Decimal(self.answered))


@dataclass
class Losses:
    scope: Scope
    sheets: list[SheetLosses]
    sections: list[SectionLoss]  # the heat map's columns, in rubric order
    heat_rows: list[HeatRow]  # a row per branch
    batch_rows: list[HeatRow]  # a row per rollout batch present
    top: list[ItemLoss]
    requirements: list[RequirementRate]
    total: Loss


def scope_branches(*, campaign: Campaign, user: User) -> QuerySet[Branch]:
    """The campaign's branches the user may filter on, in the organisation's order."""
    return campaign.branches.filter(pk__in=access.visible_branches(user)).order_by(*branch_order())


def counted_visits(scope: Scope) -> QuerySet[Visit]:
    """The scope's visits that count in the results, as the user may see them."""
    visits = access.visible_visits(scope.user).filter(
        campaign_id=scope.campaign.pk, counts_in_results=True
    )
    if scope.branch is not None:
        visits = visits.filter(branch_id=scope.branch.pk)
    if scope.batch:
        visits = visits.filter(branch__rollout_batch=scope.batch)
    return visits.order_by()


def counted_outcomes(scope: Scope) -> QuerySet[ItemOutcome]:
    """The outcomes behind every figure: those of `counted_visits`."""
    return ItemOutcome.objects.filter(
        campaign_id=scope.campaign.pk, visit_id__in=counted_visits(scope).values("pk")
    ).order_by()


def _loss(row: dict) -> Loss:
    return Loss(
        checked=Decimal(row["checked"] or 0), lost=Decimal(row["lost"] or 0), visits=row["visits"]
    )


SECTION_FIELDS = ("sheet_code", "part_code", "section_code")
ITEM_FIELDS = (*SECTION_FIELDS, "item_code")


@dataclass(frozen=True)
class Requirement:
    answered: int = 0
    non_compliant: int = 0
    visits: int = 0


@dataclass
class Totals:
    by_item: dict[tuple, Loss]  # (sheet, part, section, item) -> scored items, nationally
    by_branch: dict[tuple, Loss]  # (branch id, sheet, part, section) -> scored sections
    requirements: dict[tuple, Requirement]  # (sheet, part, section, item) -> checklists


NO_ANSWERS = Requirement()
ITEM_ROW, SECTION_ROW = 0, 1


def totals(scope: Scope) -> Totals:
    """Every figure of the page in one query, one pass over the outcomes, with a
    row per item and per branch × section whatever the number of visits.

    The outcomes are grouped per visit first (a visit has several sheets of a
    kind, one per specialist), then per item, and per visit and section then
    per branch and section: counting first-level groups counts visits without
    COUNT(DISTINCT), which would make PostgreSQL sort every row once per
    figure. Not-applicable outcomes are left out: they count nowhere."""
    qn = connection.ops.quote_name
    per_visit = (
        counted_outcomes(scope)
        .filter(not_applicable=False)
        .values("visit_id", *ITEM_FIELDS)
        .annotate(
            checked=Sum("points"),
            lost=Sum("lost"),
            answered=Count("compliant"),
            non_compliant=Count("pk", filter=Q(compliant=False)),
        )
    )
    sql, params = per_visit.query.sql_with_params()
    visit, checked, lost, answered, non_compliant = (
        qn(name) for name in ("visit_id", "checked", "lost", "answered", "non_compliant")
    )
    item_keys = ", ".join(qn(name) for name in ITEM_FIELDS)
    section_keys = ", ".join(qn(name) for name in SECTION_FIELDS)
    # The branch is joined to the few per-visit section rows, not to every outcome.
    visit_table = qn(Visit._meta.db_table)
    branch = qn(Visit._meta.get_field("branch").column)
    query = f"""
        WITH {qn("per_visit")} AS ({sql})
        SELECT {ITEM_ROW}, NULL, {item_keys}, SUM({checked}), SUM({lost}),
            SUM(CASE WHEN {checked} IS NULL THEN 0 ELSE 1 END),
            SUM({answered}), SUM({non_compliant}),
            SUM(CASE WHEN {answered} > 0 THEN 1 ELSE 0 END)
        FROM {qn("per_visit")} GROUP BY {item_keys}
        UNION ALL
        SELECT {SECTION_ROW}, {visit_table}.{branch}, {section_keys}, NULL, SUM({checked}),
            SUM({lost}), COUNT(*), 0, 0, 0
        FROM (
            SELECT {visit}, {section_keys}, SUM({checked}) AS {checked},
                SUM({lost}) AS {lost}
            FROM {qn("per_visit")} WHERE {checked} IS NOT NULL
            GROUP BY {visit}, {section_keys}
        ) {qn("per_section")}
        INNER JOIN {visit_table}
            ON {visit_table}.{qn(Visit._meta.pk.column)} = {qn("per_section")}.{visit}
        GROUP BY {visit_table}.{branch}, {section_keys}
    """
    found = Totals(by_item={}, by_branch={}, requirements={})
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for (
            kind,
            branch_id,
            *key,
            points,
            lost_,
            visits,
            answered_,
            non_compliant_,
            asked,
        ) in cursor.fetchall():
            if kind == SECTION_ROW:
                loss = Loss(checked=Decimal(points or 0), lost=Decimal(lost_ or 0), visits=visits)
                found.by_branch[(branch_id, *key[:3])] = loss
            elif points is not None:
                found.by_item[tuple(key)] = Loss(
                    checked=Decimal(points), lost=Decimal(lost_ or 0), visits=visits
                )
            else:
                found.requirements[tuple(key)] = Requirement(
                    answered=answered_ or 0, non_compliant=non_compliant_ or 0, visits=asked
                )
    return found


def _add(losses: Iterable[Loss]) -> Loss:
    """Losses of different visits (different branches): everything adds up."""
    checked, lost, visits = ZERO, ZERO, 0
    for loss in losses:
        checked += loss.checked
        lost += loss.lost
        visits += loss.visits
    return Loss(checked=checked, lost=lost, visits=visits)


def _nationally(by_branch: dict[tuple, Loss]) -> dict[tuple, Loss]:
    """Per key, over the branches: a visit is of one branch, so visits add up too."""
    grouped: dict[tuple, list[Loss]] = {}
    for (_branch, *key), loss in by_branch.items():
        grouped.setdefault(tuple(key), []).append(loss)
    return {key: _add(losses) for key, losses in grouped.items()}


def _sum(losses: Iterable[Loss]) -> Loss:
    """Points add up; visits do not (one visit is behind many sections), so a
    sum carries none: the pages show no visits for a sum of sections."""
    checked, lost = ZERO, ZERO
    for loss in losses:
        checked += loss.checked
        lost += loss.lost
    return Loss(checked=checked, lost=lost)


def losses(*, scope: Scope) -> Losses:
    """Every table of the page, in a fixed number of queries (the rubric's 4,
    then 3) whatever the number of visits."""
    definitions = comparable_definitions(rubric=scope.campaign.rubric)
    found = totals(scope)
    by_branch = found.by_branch
    by_section = _nationally(by_branch)
    by_item = found.by_item
    extra = scope.params()

    sheets, sections, items = [], [], []
    order = 0
    for sheet in definitions.values():
        if sheet.kind != Sheet.Kind.SCORED:
            continue
        lines = []
        for part in sheet.parts:
            for section in part.sections:
                key = Key(sheet.key, part.key, section.key)
                whole = section.scoring != d.ITEM_POINTS
                line = SectionLoss(
                    key=key,
                    sheet_label=sheet.table_label,
                    part_name=part.name,
                    name=section.name,
                    max_points=section.max_points,
                    whole=whole,
                    loss=by_section.get((key.sheet, key.part, key.section), NO_LOSS),
                    query=key.query(**extra),
                )
                # A section scored whole is one scored item, keyed by its own code.
                for code, text in (
                    ((section.key, section.name),)
                    if whole
                    else ((item.key, item.text) for item in section.items)
                ):
                    item_key = Key(key.sheet, key.part, key.section, code)
                    order += 1
                    item = ItemLoss(
                        key=item_key,
                        sheet_label=sheet.table_label,
                        section_name=section.name,
                        text=text,
                        loss=by_item.get(
                            (item_key.sheet, item_key.part, item_key.section, code), NO_LOSS
                        ),
                        order=order,
                        query=item_key.query(**extra),
                    )
                    items.append(item)
                    if not whole:
                        line.items.append(item)
                lines.append(line)
        sections += lines
        sheets.append(
            SheetLosses(
                label=sheet.table_label,
                name=sheet.name,
                sections=lines,
                loss=_sum(line.loss for line in lines),
            )
        )

    # Ties: more points lost first, then the larger share, then the rubric's order.
    top = sorted(
        (item for item in items if item.loss.lost > 0),
        key=lambda item: (-item.loss.lost, -(item.loss.share or ZERO), item.order),
    )[:TOP]

    heat_rows, batch_rows = _heat_rows(scope, sections, by_branch)
    requirements = _requirements(scope, definitions, found.requirements)
    everything = _sum(by_section.values())
    return Losses(
        scope=scope,
        sheets=sheets,
        sections=sections,
        heat_rows=heat_rows,
        batch_rows=batch_rows,
        top=top,
        requirements=requirements,
        total=Loss(
            checked=everything.checked,
            lost=everything.lost,
            visits=counted_visits(scope).count(),
        ),
    )


def _heat_rows(
    scope: Scope, sections: list[SectionLoss], by_branch: dict[tuple, Loss]
) -> tuple[list[HeatRow], list[HeatRow]]:
    """A row per branch in scope (the organisation's order), a cell per section;
    and the same per rollout batch, summed from the branches' cells."""
    branches = scope_branches(campaign=scope.campaign, user=scope.user)
    if scope.branch is not None:
        branches = branches.filter(pk=scope.branch.pk)
    if scope.batch:
        branches = branches.filter(rollout_batch=scope.batch)
    rows = []
    per_batch: dict[str, list[list[Loss]]] = {}
    for branch in branches:
        losses_ = [
            by_branch.get((branch.pk, s.key.sheet, s.key.part, s.key.section), NO_LOSS)
            for s in sections
        ]
        cells = [
            HeatCell(loss=loss, query=s.key.query(branch=str(branch.pk), batch=scope.batch))
            for s, loss in zip(sections, losses_, strict=True)
        ]
        rows.append(HeatRow(label=branch.name, cells=cells, loss=_sum(losses_)))
        per_batch.setdefault(branch.rollout_batch, []).append(losses_)
    labels = dict(RolloutBatch.choices)
    batch_rows = []
    for batch in RolloutBatch.values:
        if batch not in per_batch:
            continue
        columns = list(zip(*per_batch[batch], strict=True))
        losses_ = [_add(column) for column in columns]
        cells = [
            HeatCell(loss=loss, query=s.key.query(batch=batch, branch=_branch_param(scope)))
            for s, loss in zip(sections, losses_, strict=True)
        ]
        batch_rows.append(HeatRow(label=str(labels[batch]), cells=cells, loss=_sum(losses_)))
    return rows, batch_rows


def _branch_param(scope: Scope) -> str:
    return str(scope.branch.pk) if scope.branch is not None else ""


def _requirements(
    scope: Scope, definitions: dict[str, d.SheetDef], counts: dict[tuple, Requirement]
) -> list[RequirementRate]:
    """Checklist requirements (表五, 表七) by non-compliance rate (not complied
    with / answered), highest first; ties: more non-compliant answers, then the
    rubric's order. Requirements not answered anywhere come last."""
    extra = scope.params()
    lines = []
    order = 0
    for sheet in definitions.values():
        if sheet.kind != Sheet.Kind.CHECKLIST:
            continue
        for part in sheet.parts:
            for section in part.sections:
                for item in section.items:
                    order += 1
                    key = Key(sheet.key, part.key, section.key, item.key)
                    row = counts.get((key.sheet, key.part, key.section, key.item), NO_ANSWERS)
                    lines.append(
                        RequirementRate(
                            key=key,
                            sheet_label=sheet.table_label,
                            section_name=section.name,
                            text=item.text,
                            answered=row.answered,
                            non_compliant=row.non_compliant,
                            visits=row.visits,
                            order=order,
                            query=key.query(**extra),
                        )
                    )
    return sorted(
        lines,
        key=lambda r: (r.rate is None, -(r.rate or ZERO), -r.non_compliant, r.order),
    )


# --- the drill-down ---------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """What a drill-down shows: a sheet's section, or one of its items or
    requirements, with the rubric's names."""

    key: Key
    sheet_label: str
    sheet_name: str
    checklist: bool
    section_name: str
    item_text: str  # "" for a whole section
    texts: dict[str, str]  # item code -> text, for the rows

    @property
    def lists_items(self) -> bool:
        """A section of several items or requirements: its rows name theirs."""
        return not self.key.item and len(self.texts) > 1

    @property
    def title(self) -> str:
        parts = [self.sheet_label, self.section_name]
        if self.item_text and self.item_text != self.section_name:
            parts.append(self.item_text)
        return " · ".join(parts)


class UnknownCell(ValueError):
    """The codes name nothing in the campaign's rubric; the message says which."""


def find_cell(*, campaign: Campaign, sheet: str, part: str, section: str, item: str) -> Cell:
    """The rubric's cell named by the codes (the part may be left out when the
    section's code is unique in its sheet); UnknownCell otherwise."""
    definitions = comparable_definitions(rubric=campaign.rubric)
    sheet_def = definitions.get(sheet)
    if sheet_def is None or sheet_def.kind not in (Sheet.Kind.SCORED, Sheet.Kind.CHECKLIST):
        raise UnknownCell("sheet")
    matches = [
        (p, s)
        for p in sheet_def.parts
        for s in p.sections
        if s.key == section and (not part or p.key == part)
    ]
    if len(matches) != 1:
        raise UnknownCell("section")
    part_def, section_def = matches[0]
    whole = sheet_def.kind == Sheet.Kind.SCORED and section_def.scoring != d.ITEM_POINTS
    texts = {section_def.key: section_def.name} if whole else {}
    texts.update({i.key: i.text for i in section_def.items} if not whole else {})
    if item and item not in texts:
        raise UnknownCell("item")
    return Cell(
        key=Key(sheet_def.key, part_def.key, section_def.key, item),
        sheet_label=sheet_def.table_label,
        sheet_name=sheet_def.name,
        checklist=sheet_def.kind == Sheet.Kind.CHECKLIST,
        section_name=section_def.name,
        item_text=texts.get(item, ""),
        texts=texts,
    )


@dataclass
class CellOutcomes:
    cell: Cell
    loss: Loss  # scored: applicable points checked and lost
    answered: int  # checklists: requirements answered
    non_compliant: int
    rows: QuerySet[ItemOutcome]  # the findings: points lost, or not complied with


def cell_outcomes(*, scope: Scope, cell: Cell) -> CellOutcomes:
    """The cell's figures (one query) and its findings, worst first (a query
    set the page paginates)."""
    rows = counted_outcomes(scope).filter(
        sheet_code=cell.key.sheet, part_code=cell.key.part, section_code=cell.key.section
    )
    if cell.key.item:
        rows = rows.filter(item_code=cell.key.item)
    figures = rows.aggregate(
        checked=Sum("points", filter=Q(not_applicable=False, points__isnull=False)),
        lost=Sum("lost", filter=Q(not_applicable=False, points__isnull=False)),
        visits=Count(
            "visit_id",
            distinct=True,
            filter=Q(not_applicable=False) & (Q(points__isnull=False) | Q(compliant__isnull=False)),
        ),
        answered=Count("pk", filter=Q(compliant__isnull=False)),
        non_compliant=Count("pk", filter=Q(compliant=False)),
    )
    findings = (
        rows.filter(failed=True)
        .select_related(
            "visit__branch",
            "visit__office",
            "sheet_record__specialist",
            "checklist_record__specialist",
        )
        .order_by("-lost", *unit_order("visit__branch__", "visit__office__"), "visit_id", "pk")
    )
    return CellOutcomes(
        cell=cell,
        loss=_loss(figures),
        answered=figures["answered"],
        non_compliant=figures["non_compliant"],
        rows=findings,
    )
