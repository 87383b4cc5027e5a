"""Issue 15, points 2 and 8: a campaign's results page (every branch and unit:
score, grade, rank, KPIs, checklist compliance, open and overdue actions),
sorted and filtered by its query string, with the consolidated report's
numbers, and its tables as an Excel download."""

import datetime
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from inspections.models import ChecklistRecord, RectificationAction, SheetRecord, Visit
from reports.exporters.consolidated import ConsolidatedXlsxExporter
from reports.selectors.campaign import consolidated_data
from scoring.models import RolloutBatch
from tests.reports import report_data as rd

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


# --- reading the page's tables -----------------------------------------------------


class Tables(HTMLParser):
    """Every <table id=…> of a page: its header texts and, per body row, each
    cell's text and data-value (None where the cell has none)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, dict] = {}
        self._table = None
        self._cell = None
        self._row = None
        self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables[attrs["id"]] = {"headers": [], "rows": [], "attrs": attrs}
        elif self._table is None:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr" and not self._in_head:
            self._row = []
            self._table["rows"].append(self._row)
        elif tag in ("th", "td"):
            self._cell = {"text": "", "value": attrs.get("data-value"), "attrs": attrs}

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("th", "td") and self._cell is not None and self._table is not None:
            self._cell["text"] = " ".join(self._cell["text"].split())
            if self._in_head:
                self._table["headers"].append(self._cell)
            elif self._row is not None:
                self._row.append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def page_tables(client, campaign, **query):
    response = client.get(reverse("campaign-results", args=[campaign.pk]), query)
    assert response.status_code == 200
    return Tables(response.content.decode()).tables, response


def column(table, header: str) -> list[str]:
    index = next(i for i, h in enumerate(table["headers"]) if h["text"].startswith(header))
    return [row[index]["text"] for row in table["rows"]]


def names(table) -> list[str]:
    """The first cell of each row (a row saying there is none is no row)."""
    return [row[0]["text"] for row in table["rows"] if "colspan" not in row[0]["attrs"]]


def rank_of(count: int) -> str:
    return _("Rank (of %(count)s)") % {"count": count}


def pct(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def num(value) -> str:
    return "—" if value is None else str(value)


# --- the world ----------------------------------------------------------------------


def approved(world, complete_visit, office, percents, *, kind=Visit.Kind.SELF_INSPECTION, **kw):
    """An approved visit whose stored sheet percentages are then `percents`."""
    done = rd.approve(world, complete_visit(rd.plan(world, office, kind, **kw)))
    records = list(done.sheet_records.order_by("pk"))
    for record, percent in zip(records, percents, strict=False):
        SheetRecord.objects.filter(pk=record.pk).update(percent=Decimal(percent))
    return done


@pytest.fixture
def results(world, complete_visit):
    """a1: a self-inspection and head office's check (which ranks); branch A
    itself; a2; b1. Branch B is in the first rollout batch. a1's check has an
    action, overdue after its deadline."""
    approved(world, complete_visit, world.a1, ["95", "95", "95"])
    check = approved(
        world, complete_visit, world.a1, ["70", "80", "90"], kind=Visit.Kind.HEAD_OFFICE_CHECK
    )
    approved(world, complete_visit, None, ["60", "65", "70"])
    approved(world, complete_visit, world.a2, ["88", "88", "88"])
    approved(world, complete_visit, world.b1, ["92", "90", "88"])
    world.branch_b.rollout_batch = RolloutBatch.FIRST
    world.branch_b.save()
    area = world.rubric.content_areas.order_by("order").first()
    RectificationAction.objects.create(
        visit=check,
        content_area=area,
        description="整改",
        responsible_office=world.a1,
        responsible_person="钱",
        deadline=TODAY - datetime.timedelta(days=1),
        created_by=world.inspector_hq,
    )
    return world


# --- the numbers ----------------------------------------------------------------------


def test_the_page_shows_the_consolidated_report_s_numbers(client, results):
    world = results
    client.force_login(world.hq)
    tables, _response = page_tables(client, world.campaign)
    report = consolidated_data(campaign=world.campaign, today=TODAY)

    branches = tables["results-branches"]
    # Branch B is in the first rollout batch: it comes first.
    assert names(branches) == [b.name for b in report.branches] == ["乙分公司", "甲分公司"]
    assert column(branches, _("Overall (%)")) == [pct(b.percent) for b in report.branches]
    assert column(branches, _("Grade")) == [num(b.grade) for b in report.branches]
    assert column(branches, rank_of(2)) == [num(b.rank) for b in report.branches]
    assert column(branches, _("Open actions")) == [num(b.open_actions) for b in report.branches]
    assert column(branches, _("Overdue actions")) == ["0", "1"]
    # The chart reads the raw numbers beside the text.
    overall = next(
        i for i, h in enumerate(branches["headers"]) if h["text"].startswith(_("Overall (%)"))
    )
    assert "data-series" in branches["headers"][overall]["attrs"]
    assert branches["attrs"]["data-chart"] == "bar"
    assert [row[overall]["value"] for row in branches["rows"]] == [
        str(b.percent) for b in report.branches
    ]

    units = tables["results-units"]
    assert names(units) == [u.name for u in report.units]
    assert column(units, _("Overall (%)")) == [pct(u.percent) for u in report.units]
    assert column(units, _("Grade")) == [num(u.grade) for u in report.units]
    assert column(units, rank_of(4)) == [num(u.rank) for u in report.units]
    assert column(units, _("Rank in branch")) == [num(u.branch_rank) for u in report.units]
    assert column(units, _("Open actions")) == [num(u.open_actions) for u in report.units]
    etiquette = next(s for s in report.checklist_sheets if s.code == "etiquette")
    compliance = _("%(sheet)s compliance (%%)") % {"sheet": etiquette.table_label}
    assert column(units, compliance) == [
        pct(u.ranking.checklist_rates.get("etiquette")) if u.ranking else "—" for u in report.units
    ]
    # What the rules say: a1 ranks by head office's check, (70 + 80 + 90) / 3.
    a1 = units["rows"][names(units).index("甲一支公司")]
    kind = str(Visit.Kind.HEAD_OFFICE_CHECK.label)
    assert [c["text"] for c in a1[2:6]] == [kind, "80.00", "B", "3"]

    # The distribution and grade tables are the report's.
    assert [(r[0]["text"], r[1]["text"]) for r in tables["results-distribution"]["rows"]] == [
        (label, str(count)) for label, count in report.distribution()
    ]
    assert [[c["text"] for c in r] for r in tables["results-grades"]["rows"]] == [
        [name, *[str(counts[g]) for g in report.grades]]
        for name, counts in report.grade_counts_by_branch()
    ]


def test_a_branch_s_checklist_compliance_counts_its_ranking_visits_answers(client, results):
    """Every requirement answered in the branch's units' ranking visits counts
    once; a self-inspection replaced by head office's check does not."""
    world = results
    a1 = Visit.objects.filter(office=world.a1)
    check = a1.get(kind=Visit.Kind.HEAD_OFFICE_CHECK)
    own = a1.get(kind=Visit.Kind.SELF_INSPECTION)
    ChecklistRecord.objects.filter(visit=check, sheet__code="permissions").update(
        compliant=3, non_compliant=1
    )
    ChecklistRecord.objects.filter(visit=own, sheet__code="permissions").update(
        compliant=0, non_compliant=5
    )
    ranking = Visit.objects.filter(branch=world.branch_a).exclude(pk=own.pk)
    counts = ChecklistRecord.objects.filter(visit__in=ranking, sheet__code="permissions")
    yes = sum(c.compliant for c in counts)
    no = sum(c.non_compliant for c in counts)
    assert no == 1 and yes > 3
    expected = (Decimal(100) * yes / (yes + no)).quantize(Decimal("0.01"))

    report = consolidated_data(campaign=world.campaign, today=TODAY)
    branch_a = next(b for b in report.branches if b.branch_id == world.branch_a.pk)
    assert branch_a.checklist_rates["permissions"] == expected
    client.force_login(world.hq)
    tables, _response = page_tables(client, world.campaign)
    permissions = next(s for s in report.checklist_sheets if s.code == "permissions")
    header = _("%(sheet)s compliance (%%)") % {"sheet": permissions.table_label}
    assert column(tables["results-branches"], header) == [
        pct(b.checklist_rates["permissions"]) for b in report.branches
    ]
    assert pct(expected) in column(tables["results-branches"], header)
    # The consolidated workbook's branch sheet says the same.
    book = load_workbook(
        io.BytesIO(ConsolidatedXlsxExporter(campaign_id=world.campaign.pk).build())
    )
    sheet = book[_("Branches")]
    rows = list(sheet.iter_rows(values_only=True))
    head = next(i for i, row in enumerate(rows) if row and row[1] == _("Branch"))
    at = rows[head].index(header)
    found = {row[1]: row[at] for row in rows[head + 1 :] if row and row[1]}
    assert Decimal(str(found["甲分公司"])) == expected


def test_the_page_s_numbers_are_the_consolidated_workbook_s(client, results):
    """The consolidated report's Excel file, as head office downloads it: each
    unit's ranking row has the page's score, grade and ranks."""
    world = results
    client.force_login(world.hq)
    tables, _response = page_tables(client, world.campaign)
    book = load_workbook(
        io.BytesIO(ConsolidatedXlsxExporter(campaign_id=world.campaign.pk).build())
    )
    sheet = book[_("Offices")]
    header = [c.value for c in sheet[1]]
    at = {name: header.index(name) for name in header if name}
    in_report = {
        row[at[_("Office")]]: (
            pct(row[at[_("Overall (%)")]]),
            row[at[_("Grade")]],
            str(row[at[_("Rank")]]),
            str(row[at[_("Rank in branch")]]),
        )
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[at[_("Ranks")]] == _("Yes")
    }
    units = tables["results-units"]
    shown = {
        row[0]["text"]: (row[3]["text"], row[4]["text"], row[5]["text"], row[6]["text"])
        for row in units["rows"]
        if row[5]["text"] != "—"
    }
    assert shown == in_report
    assert len(shown) == 4


def test_a_branch_report_ranks_its_units_among_the_campaign(results):
    """The intended change: a branch report's ranks are the campaign's (as its
    note says, and as the board shows them); the rank in the branch stays."""
    world = results
    everyone = {
        u.name: (u.rank, u.branch_rank)
        for u in consolidated_data(campaign=world.campaign, today=TODAY).units
    }
    own = consolidated_data(campaign=world.campaign, today=TODAY, branch_ids=[world.branch_b.pk])
    assert [b.name for b in own.branches] == ["乙分公司"]
    assert {u.name: (u.rank, u.branch_rank) for u in own.units} == {
        name: ranks for name, ranks in everyone.items() if name.startswith("乙")
    }
    assert own.units[0].rank == 1 and own.branches[0].rank == 1
    assert (own.ranked_units, own.ranked_branches) == (4, 2)


# --- who sees it ----------------------------------------------------------------------


def test_a_branch_manager_sees_only_their_branch_ranked_among_all(client, results):
    world = results
    client.force_login(world.hq)
    everyone, _response = page_tables(client, world.campaign)
    client.force_login(world.manager_b)
    own, response = page_tables(client, world.campaign)
    assert names(own["results-branches"]) == ["乙分公司"]
    assert set(names(own["results-units"])) == {"乙一支公司", "乙二支公司"}
    assert "甲" not in response.content.decode()
    # Ranks among the whole campaign: the same as head office sees.
    rank = column(everyone["results-units"], rank_of(4))[
        names(everyone["results-units"]).index("乙一支公司")
    ]
    assert column(own["results-units"], rank_of(4))[0] == rank == "1"
    assert own["results-units"]["headers"][5]["text"].startswith(
        _("Rank (of %(count)s)") % {"count": 4}
    )
    # Branch A, asked for by its id: ignored, said so, nothing of it shown.
    own, response = page_tables(client, world.campaign, branch=world.branch_a.pk)
    assert names(own["results-branches"]) == ["乙分公司"]
    assert 'data-testid="ignored-params"' in response.content.decode()
    assert "甲" not in response.content.decode()
    xlsx = client.get(reverse("campaign-results-xlsx", args=[world.campaign.pk]))
    cells = [c.value for ws in load_workbook(io.BytesIO(xlsx.content)) for r in ws for c in r]
    assert "乙一支公司" in cells and not any("甲" in str(c) for c in cells)


def test_inspectors_do_not_see_the_units_results(client, results):
    """An inspector sees only the visits they inspect (access.sees_unit_results)."""
    world = results
    for inspector in (world.inspector_a, world.inspector_hq, world.inspector_b):
        client.force_login(inspector)
        for name in ("campaign-results", "campaign-results-xlsx"):
            assert client.get(reverse(name, args=[world.campaign.pk])).status_code == 403
        board = client.get(reverse("campaign-detail", args=[world.campaign.pk])).content.decode()
        assert 'data-testid="results-link"' not in board


def test_the_board_links_to_the_results(client, results):
    world = results
    for user in (world.hq, world.manager_a):
        client.force_login(user)
        board = client.get(reverse("campaign-detail", args=[world.campaign.pk])).content.decode()
        assert reverse("campaign-results", args=[world.campaign.pk]) in board


def test_a_campaign_outside_the_user_s_branch_is_not_found(client, results):
    from inspections import services

    world = results
    only_b = services.create_campaign(
        user=world.hq,
        name="乙方专项",
        rubric=world.rubric,
        period_start=datetime.date(2012, 10, 22),
        period_end=datetime.date(2012, 11, 30),
        report_due=datetime.date(2012, 11, 30),
        branches=[world.branch_b],
    )
    client.force_login(world.manager_a)
    assert client.get(reverse("campaign-results", args=[only_b.pk])).status_code == 404


# --- sorting and filtering --------------------------------------------------------------


def test_sorting(client, results):
    world = results
    client.force_login(world.hq)
    tables, _response = page_tables(client, world.campaign, sort="-score")
    scores = column(tables["results-units"], _("Overall (%)"))
    # Highest first; units without a result last.
    assert scores == ["90.00", "88.00", "80.00", "65.00", "—", "—"]
    assert column(tables["results-branches"], _("Overall (%)")) == ["90.00", "77.67"]

    tables, _response = page_tables(client, world.campaign, sort="score")
    assert column(tables["results-units"], _("Overall (%)"))[:4] == [
        "65.00",
        "80.00",
        "88.00",
        "90.00",
    ]
    tables, _response = page_tables(client, world.campaign, sort="rank")
    assert column(tables["results-units"], rank_of(4))[:4] == ["1", "2", "3", "4"]
    tables, _response = page_tables(client, world.campaign, sort="-overdue")
    assert names(tables["results-units"])[0] == "甲一支公司"
    assert names(tables["results-branches"]) == ["甲分公司", "乙分公司"]
    tables, _response = page_tables(client, world.campaign, sort="grade")
    grades = column(tables["results-units"], _("Grade"))
    assert grades[:4] == ["A", "A", "B", "C"]
    tables, _response = page_tables(client, world.campaign, sort="-order")
    assert names(tables["results-branches"]) == ["甲分公司", "乙分公司"]
    assert names(tables["results-units"])[0] == "甲三支公司"
    for key in ("kpi", "-kpi", "compliance", "-compliance", "open", "-rank", "-grade"):
        tables, _response = page_tables(client, world.campaign, sort=key)
        assert len(tables["results-units"]["rows"]) == 6, key
    # The header links sort, keeping the filters.
    page = client.get(
        reverse("campaign-results", args=[world.campaign.pk]),
        {"batch": "second", "sort": "score"},
    ).content.decode()
    assert "?batch=second&amp;sort=-score" in page


def test_filters(client, results):
    world = results
    client.force_login(world.hq)
    tables, _response = page_tables(client, world.campaign, batch=RolloutBatch.FIRST)
    assert names(tables["results-branches"]) == ["乙分公司"]
    tables, _response = page_tables(client, world.campaign, branch=world.branch_a.pk)
    assert names(tables["results-branches"]) == ["甲分公司"]
    assert len(tables["results-units"]["rows"]) == 4  # itself, a1, a2, a3
    # Ranks stay the campaign's when filtered.
    assert column(tables["results-branches"], rank_of(2)) == ["2"]
    tables, _response = page_tables(
        client, world.campaign, batch=RolloutBatch.FIRST, branch=world.branch_a.pk
    )
    assert names(tables["results-branches"]) == []


BAD_QUERIES = [
    {"sort": "nonsense"},
    {"sort": "--score"},
    {"branch": "abc"},
    {"branch": "99999999999999999999"},
    {"branch": "-1"},
    {"batch": "tenth"},
    {"sort": "score", "branch": "１２"},
]


def test_bad_parameters_are_ignored_and_said_so(client, results):
    world = results
    client.force_login(world.hq)
    for query in BAD_QUERIES:
        tables, response = page_tables(client, world.campaign, **query)
        assert 'data-testid="ignored-params"' in response.content.decode(), query
        assert len(tables["results-branches"]["rows"]) == 2, query
        xlsx = client.get(reverse("campaign-results-xlsx", args=[world.campaign.pk]), query)
        assert xlsx.status_code == 200, query
    # The valid ones still apply.
    tables, _response = page_tables(client, world.campaign, sort="-score", branch="x")
    assert column(tables["results-units"], _("Overall (%)"))[0] == "90.00"


def test_the_query_count_does_not_grow_with_visits(client, world, complete_visit):
    client.force_login(world.hq)
    url = reverse("campaign-results", args=[world.campaign.pk])
    approved(world, complete_visit, world.a1, ["90"] * 3)
    approved(world, complete_visit, world.b1, ["80"] * 3)
    client.get(url)  # what the first request caches (the session, the user)
    with CaptureQueriesContext(connection) as two:
        assert client.get(url, {"sort": "-score"}).status_code == 200
    approved(world, complete_visit, world.a1, ["70"] * 3, kind=Visit.Kind.HEAD_OFFICE_CHECK)
    approved(world, complete_visit, None, ["75"] * 3)
    approved(world, complete_visit, world.a2, ["85"] * 3)
    approved(world, complete_visit, world.b2, ["95"] * 3)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url, {"sort": "-score"})
    assert len(six.captured_queries) == len(two.captured_queries)
    tables = Tables(response.content.decode()).tables
    assert len([s for s in column(tables["results-units"], _("Overall (%)")) if s != "—"]) == 5


def cell_as_shown(value, cell) -> str:
    """A workbook's value as the page shows it, numbers compared as numbers
    with the page's raw data-value."""
    if cell["value"] is not None and value is not None:
        assert Decimal(str(value)) == Decimal(cell["value"])
        return cell["text"]
    return "—" if value is None else str(value)


# --- the Excel download -------------------------------------------------------------------


def test_the_excel_download_is_the_table_shown(client, results):
    world = results
    client.force_login(world.hq)
    query = {"sort": "-score", "batch": RolloutBatch.SECOND}
    tables, response = page_tables(client, world.campaign, **query)
    assert f"{reverse('campaign-results-xlsx', args=[world.campaign.pk])}?" in (
        response.content.decode()
    )
    xlsx = client.get(reverse("campaign-results-xlsx", args=[world.campaign.pk]), query)
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(xlsx.content))
    for sheet, table_id in (
        (_("Branches"), "results-branches"),
        (_("Unit results"), "results-units"),
        (_("Score distribution"), "results-distribution"),
        (_("Grades per branch"), "results-grades"),
    ):
        rows = list(book[sheet].iter_rows(values_only=True))
        table = tables[table_id]
        assert list(rows[0]) == [h["text"].rstrip(" ▲▼") for h in table["headers"]], sheet
        assert len(rows) == len(table["rows"]) + 1, sheet
        for written, shown in zip(rows[1:], table["rows"], strict=True):
            assert [cell_as_shown(v, c) for v, c in zip(written, shown, strict=True)] == [
                c["text"] for c in shown
            ], sheet
    # Numbers stay numbers.
    units = list(book[_("Unit results")].iter_rows(min_row=2, values_only=True))
    assert isinstance(units[0][3], int | float) and units[0][3] == 88
