"""The branch's acceptance report (以分公司为单位形成工作验收报告): approved
visits of the branch and its offices only, when and by whom, the unit
summary, findings per content area, actions with their current status,
interview problems, the post and staffing list (表六), then each visit's
filled tables and interviews; PDF and Excel; no formula from user text;
queries that do not grow with the visits."""

import dataclasses
import datetime
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from inspections import services
from inspections.models import Finding, Post, RectificationAction, Specialist, Visit
from inspections.roster import COLUMNS as ROSTER_COLUMNS
from inspections.roster import parse_roster
from reports.exporters.base import REGISTRY
from reports.exporters.branch import BranchPdfExporter, BranchXlsxExporter
from reports.exporters.excel import sheet_name
from reports.selectors.branch import branch_report_data
from reports.selectors.types import VISIT_REPORT_TITLE as REPORT_TITLE
from reports.selectors.types import ReportDataError
from reports.selectors.visit import visit_report_data
from tests import factories
from tests.reports import report_data as rd

TODAY = datetime.date(2012, 12, 1)
HOC_REMARK = "复核：投保资料不全"  # on every section of the head-office check's 表三


@pytest.fixture
def branch_visits(world, complete_visit):
    """Branch A: a1 self-inspection and head-office check, and the branch
    itself; an open visit of a2; branch B's visit of b1."""
    si = complete_visit(rd.plan(world, world.a1))
    rd.add_texts(world, si, "柜面叫号系统未升级")
    rd.approve(world, si)
    hoc = complete_visit(rd.plan(world, world.a1, Visit.Kind.HEAD_OFFICE_CHECK, day=28))
    rd.rescore(world, hoc, world.nb, "policy_change", "0.6", remark=HOC_REMARK)
    rd.approve(world, hoc)
    itself = rd.approved(world, complete_visit, None)
    open_visit = complete_visit(rd.plan(world, world.a2))
    rd.add_texts(world, open_visit, "未审批的访谈内容")
    other = complete_visit(rd.plan(world, world.b1))
    rd.add_texts(world, other, "乙分公司的问题")
    rd.approve(world, other)
    return {"si": si, "hoc": hoc, "itself": itself, "open": open_visit, "other": other}


def kw(world, branch=None):
    return {"campaign_id": world.campaign.pk, "branch_id": (branch or world.branch_a).pk}


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_exporters_are_registered():
    for identifier in ("branch-pdf", "branch-xlsx"):
        assert REGISTRY[identifier].subject == "branch"


def test_the_report_covers_the_branch_and_its_offices_approved_visits(world, branch_visits):
    report = branch_report_data(
        campaign_id=world.campaign.pk, branch_id=world.branch_a.pk, today=TODAY
    )
    assert report.title == "甲分公司" + REPORT_TITLE
    assert [(v.unit, v.kind) for v in report.visits] == [
        (
            _("%(branch)s (branch itself)") % {"branch": "甲分公司"},
            Visit.Kind.SELF_INSPECTION.label,
        ),
        ("甲一支公司", Visit.Kind.SELF_INSPECTION.label),
        ("甲一支公司", Visit.Kind.HEAD_OFFICE_CHECK.label),
    ]
    si = report.visits[1]
    assert si.inspectors == ["inspector-a"]
    assert si.approved_by == str(world.hq)
    assert si.start_date == datetime.date(2012, 10, 25)
    # The summary: one branch, the a1 unit with both visits, the head-office check ranking.
    assert [b.name for b in report.summary.branches] == ["甲分公司"]
    a1 = next(u for u in report.row.units if u.name == "甲一支公司")
    assert a1.ranking is a1.head_office_check
    assert a1.self_inspection is not None
    # Findings per content area, from approved visits only.
    area = report.areas[0]
    assert area.name == world.rubric.content_areas.order_by("order").first().name
    texts = [t for unit in area.findings for t in unit.shortcomings]
    assert texts == ["柜面叫号系统未升级"]
    assert len(report.areas) == world.rubric.content_areas.count()
    # Actions with deadline and current status.
    assert [(a.unit, a.description, a.deadline, a.status) for a in report.actions] == [
        ("甲一支公司", "柜面叫号系统未升级", datetime.date(2012, 12, 15), "open")
    ]
    assert report.actions[0].overdue is False
    # Interview problems of the branch only.
    assert [i.text for i in report.summary.interview_items] == ["柜面叫号系统未升级"] * 2


def test_actions_show_their_current_status(world, branch_visits):
    RectificationAction.objects.filter(visit=branch_visits["si"]).update(
        status=RectificationAction.Status.IN_PROGRESS
    )
    report = branch_report_data(
        campaign_id=world.campaign.pk,
        branch_id=world.branch_a.pk,
        today=datetime.date(2012, 12, 20),
    )
    (action,) = report.actions
    assert action.status_label == RectificationAction.Status.IN_PROGRESS.label
    assert action.overdue is True
    RectificationAction.objects.update(status=RectificationAction.Status.CLOSED)
    report = branch_report_data(
        campaign_id=world.campaign.pk,
        branch_id=world.branch_a.pk,
        today=datetime.date(2012, 12, 20),
    )
    assert report.actions[0].overdue is False


def test_a_branch_outside_the_campaign_is_refused(world):
    from tests import factories

    other = factories.BranchFactory(code="c", name="丙分公司")
    with pytest.raises(ReportDataError, match="丙分公司"):
        branch_report_data(campaign_id=world.campaign.pk, branch_id=other.pk, today=TODAY)


def test_query_count_does_not_grow_with_visits(world, complete_visit):
    rd.approved(world, complete_visit, world.a1)
    with CaptureQueriesContext(connection) as one:
        branch_report_data(campaign_id=world.campaign.pk, branch_id=world.branch_a.pk, today=TODAY)
    visit = complete_visit(rd.plan(world, world.a2))
    rd.add_texts(world, visit, "叫号机故障")
    rd.approve(world, visit)
    rd.approved(world, complete_visit, None)
    with CaptureQueriesContext(connection) as three:
        report = branch_report_data(
            campaign_id=world.campaign.pk, branch_id=world.branch_a.pk, today=TODAY
        )
    assert len(report.visits) == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_pdf(world, branch_visits):
    exporter = BranchPdfExporter(**kw(world))
    text = pdf_text(exporter.build())
    assert "甲分公司" + REPORT_TITLE in text
    for expected in (
        "甲一支公司",
        "inspector-a",
        "inspector-hq",
        "柜面叫号系统未升级",
        "2012-12-15",
    ):
        assert expected in text
    for absent in ("乙一支公司", "乙分公司的问题", "未审批的访谈内容"):
        assert absent not in text
    assert exporter.filename().endswith(".pdf")


def test_pdf_shows_the_submission_and_lateness(world, branch_visits, media_root):
    with time_machine.travel(datetime.datetime(2012, 12, 3, 2, tzinfo=datetime.UTC), tick=False):
        services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
            note="补交",
        )
    html = BranchPdfExporter(**kw(world)).html()
    assert "2012-12-03" in html
    assert _("late") in html
    assert "补交" in html


def test_excel(world, branch_visits):
    progress = []
    content = BranchXlsxExporter(**kw(world), progress=progress.append).build()
    assert progress[-1] == 100
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[:6] == [
        _("Summary"),
        _("Visits"),
        _("Findings"),
        _("Actions"),
        _("Problems and support"),
        _("Objections"),
    ]
    # Then 表六 and each visit's tables, named by its number in the Visits sheet.
    assert workbook.sheetnames[6] == "表六 岗位人员设置清单"
    assert len(workbook.sheetnames) == 7 + 3 * 7
    summary = list(workbook[_("Summary")].iter_rows(values_only=True))
    assert summary[0][0] == "甲分公司" + REPORT_TITLE
    assert (_("Submitted to head office"), _("not submitted")) in [r[:2] for r in summary]
    a1_rows = [r for r in summary if r[0] == "甲一支公司"]
    assert [r[2] for r in a1_rows] == [
        Visit.Kind.SELF_INSPECTION.label,
        Visit.Kind.HEAD_OFFICE_CHECK.label,
    ]
    visits = list(workbook[_("Visits")].iter_rows(min_row=2, values_only=True))
    assert len(visits) == 3
    findings = list(workbook[_("Findings")].iter_rows(min_row=2, values_only=True))
    assert ("甲一支公司", _("Shortcoming"), "柜面叫号系统未升级") in [
        (r[1], r[3], r[4]) for r in findings
    ]
    actions = list(workbook[_("Actions")].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[6], r[7]) for r in actions] == [
        ("甲一支公司", "柜面叫号系统未升级", "2012-12-15", RectificationAction.Status.OPEN.label)
    ]
    problems = list(workbook[_("Problems and support")].iter_rows(min_row=2, values_only=True))
    assert {r[7] for r in problems} == {"柜面叫号系统未升级"}


def test_no_user_text_becomes_a_formula(world, complete_visit, media_root):
    visit = complete_visit(rd.plan(world, world.a1))
    for payload in rd.PAYLOADS:
        rd.add_texts(world, visit, payload)
    rd.rescore(world, visit, world.pc, "new_business", "0.9", remark=rd.PAYLOADS[1])
    world.pc.name = "=cmd|' /C calc'!A0"
    world.pc.save()
    rd.approve(world, visit)
    # The services strip what users type, so "\tx" arrives as "x"; text from
    # elsewhere (the admin, an import) may still start with a tab.
    Finding.objects.filter(visit=visit, text="x").update(text="\tx")
    with time_machine.travel(datetime.datetime(2012, 11, 20, tzinfo=datetime.UTC), tick=False):
        services.submit_branch_report(
            report=factories.BRANCH_REPORT,
            user=world.manager_a,
            campaign=world.campaign,
            branch=world.branch_a,
            note="=1+1",
        )
    content = BranchXlsxExporter(**kw(world)).build()
    workbook = load_workbook(io.BytesIO(content))
    seen = set()
    for worksheet in workbook:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (worksheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
    # Findings, actions (what, who), interviewees and answers carry every payload.
    for payload in rd.PAYLOADS:
        assert "'" + payload in seen, payload


# --- each visit's tables and interviews ------------------------------------------------


def test_the_report_holds_each_visits_own_report(world, branch_visits):
    report = branch_report_data(
        campaign_id=world.campaign.pk, branch_id=world.branch_a.pk, today=TODAY
    )
    assert [(v.number, v.report.visit) for v in report.visits] == [
        (1, branch_visits["itself"]),
        (2, branch_visits["si"]),
        (3, branch_visits["hoc"]),
    ]
    for line in report.visits:
        alone = visit_report_data(visit_id=line.report.visit.pk, today=TODAY)
        # The same report as the visit's own, but for the moment it was made.
        assert dataclasses.replace(line.report, generated_at=None) == dataclasses.replace(
            alone, generated_at=None
        )
        assert line.inspectors == alone.inspectors and line.approved_by == alone.approved_by


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_has_each_visits_tables_and_interviews(world, branch_visits):
    report = branch_report_data(
        campaign_id=world.campaign.pk, branch_id=world.branch_a.pk, today=TODAY
    )
    text = _squeezed(pdf_text(BranchPdfExporter(**kw(world)).build()))
    headings = [
        _squeezed(
            _("Appendix %(number)s: %(unit)s · %(kind)s")
            % {"number": line.number, "unit": line.unit, "kind": line.kind}
        )
        for line in report.visits
    ]
    starts = [text.index(heading) for heading in headings]
    assert starts == sorted(starts)
    appendices = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    for line, appendix in zip(report.visits, appendices, strict=True):
        visit = line.report
        assert visit.sheets and visit.checklists
        expected = ["表一" + _("Process log"), _("KPIs"), _("Interviews")]
        expected += [f"{s.table_label}{s.sheet_name}·{s.specialist_name}" for s in visit.sheets]
        expected += [f"{c.table_label}{c.sheet_name}·{c.who}" for c in visit.checklists]
        expected += [f"{i.audience}·{i.interviewee}" for i in visit.interviews]
        for heading in expected:
            assert _squeezed(heading) in appendix, (line.number, heading)
    assert all(line.report.interviews for line in report.visits[1:])
    si, hoc = appendices[1], appendices[2]
    # An interview's answers and an item's remark, in their visit's appendix only.
    assert "柜面叫号系统未升级" in si and "柜面叫号系统未升级" not in hoc
    assert _squeezed(HOC_REMARK) in hoc and _squeezed(HOC_REMARK) not in si


def test_the_workbook_has_each_visits_tables(world, branch_visits):
    workbook = load_workbook(io.BytesIO(BranchXlsxExporter(**kw(world)).build()))
    itself = _("%(branch)s (branch itself)") % {"branch": "甲分公司"}
    labels = ["表二", "表三", "表四", "表一", _("Checklists"), _("KPIs"), _("Interviews")]
    units = [(1, itself), (2, "甲一支公司"), (3, "甲一支公司")]
    assert workbook.sheetnames[7:] == [
        f"{number} {unit} {label}" for number, unit in units for label in labels
    ]
    numbers = [row[:2] for row in workbook[_("Visits")].iter_rows(min_row=2, values_only=True)]
    assert numbers == units

    def rows(name):
        return list(workbook[name].iter_rows(values_only=True))

    table_three = rows("3 甲一支公司 表三")
    assert table_three[0][0].startswith(
        f"3. 甲一支公司 · {Visit.Kind.HEAD_OFFICE_CHECK.label} — 表三"
    )
    remarks = [r for r in table_three[2:] if r[0] == world.nb.name and r[9] == HOC_REMARK]
    assert remarks, "every section's remark, on the specialist's rows"
    assert not any(HOC_REMARK in (r[9] or "") for r in rows("2 甲一支公司 表三")[2:])
    answers = [
        r for r in rows("2 甲一支公司 " + _("Interviews"))[2:] if r[1] == "柜面叫号系统未升级"
    ]
    assert answers and all(r[5] == "柜面叫号系统未升级" for r in answers)
    assert len(rows("1 " + itself + " " + _("Checklists"))) > 2
    kpis = rows("1 " + itself + " " + _("KPIs"))
    assert [r[1] for r in kpis[2:] if r[1]][:2] == ["甲分公司", "甲一支公司"]


def _units(name: str) -> int:
    return len(name.encode("utf-16-le")) // 2


def test_a_sheet_name_keeps_its_label_and_fits_excels_limit():
    # 31 UTF-16 code units: "12 " is 3, each 𠀀 2 (a surrogate pair), " 表二" 3.
    name = sheet_name("12 " + "𠀀" * 20, "表二")
    assert name == "12 " + "𠀀" * 12 + " 表二" and _units(name) == 30
    assert _units(sheet_name("12 " + "㐀" * 40, "表二")) == 31
    # Excel refuses : \ / ? * [ ] anywhere, and an apostrophe first or last.
    assert sheet_name("'甲:一/支\\公司[*?]'", "表一") == "甲_一_支_公司____' 表一"
    assert sheet_name("3 甲一\n支公司", "访谈") == "3 甲一 支公司 访谈"


def test_worksheet_names_are_unique_and_fit_with_long_rare_and_alike_office_names(
    world, complete_visit
):
    long_name = "重庆市渝北区两路街道第一营业部柜面服务中心" * 2  # alike once cut
    offices = [
        factories.OfficeFactory(branch=world.branch_a, code="rare1", name="𠀀" * 50),
        factories.OfficeFactory(branch=world.branch_a, code="rare2", name="㐀" * 100),
        factories.OfficeFactory(branch=world.branch_a, code="long1", name=long_name),
        factories.OfficeFactory(branch=world.branch_a, code="long2", name=long_name + "二"),
    ]
    for office in offices:
        rd.approved(world, complete_visit, office)
    rd.approved(world, complete_visit, offices[2], Visit.Kind.HEAD_OFFICE_CHECK, day=28)
    workbook = load_workbook(io.BytesIO(BranchXlsxExporter(**kw(world)).build()))
    names = workbook.sheetnames
    assert len(names) == 7 + 5 * 7
    assert all(_units(name) <= 31 for name in names), [n for n in names if _units(n) > 31]
    assert len({name.casefold() for name in names}) == len(names)
    visits = {row[0]: row for row in workbook[_("Visits")].iter_rows(min_row=2, values_only=True)}
    for name in names[7:]:
        number = int(name.split(" ")[0])
        # The title row names the unit in full, whatever the worksheet's name kept.
        assert workbook[name]["A1"].value.startswith(f"{number}. {visits[number][1]} · ")
    assert {visits[n][1] for n in visits} == {o.name for o in offices}


def test_the_files_are_built_in_queries_that_do_not_grow_with_the_visits(
    world, complete_visit, django_assert_max_num_queries
):
    # One visit of each kind first: a head-office check's results status and
    # objections are read once for all the checks, and not at all without one.
    rd.approved(world, complete_visit, world.a1)
    rd.approved(world, complete_visit, world.a1, Visit.Kind.HEAD_OFFICE_CHECK, day=28)

    def build():
        BranchPdfExporter(**kw(world)).html()
        BranchXlsxExporter(**kw(world)).build()

    with CaptureQueriesContext(connection) as two:
        build()
    rd.approved(world, complete_visit, None)
    rd.approved(world, complete_visit, world.a2)
    rd.approved(world, complete_visit, world.a3)
    rd.approved(world, complete_visit, world.a2, Visit.Kind.HEAD_OFFICE_CHECK, day=28)
    with django_assert_max_num_queries(len(two.captured_queries)):
        build()
    assert len(branch_report_data(**kw(world), today=TODAY).visits) == 6


# --- 表六, the branch's post and staffing list --------------------------------------------


def test_the_report_lists_the_branchs_post_and_staffing_list(world):
    factories.SpecialistFactory(
        office=world.a2,
        name="离岗周",
        employee_no="A2-900",
        home_post=factories.post("contract"),
        active=False,
    )
    roster = branch_report_data(**kw(world), today=TODAY).roster
    # The branch's own staff first, then each office's by employee number; branch A only.
    assert [(p.name, p.workplace) for p in roster[:4]] == [
        ("本部赵", "甲分公司"),
        ("保全张", "甲一支公司"),
        ("契约李", "甲一支公司"),
        ("综合王", "甲一支公司"),
    ]
    assert {p.name for p in roster[4:]} == {"甲二钱", "离岗周"}
    nb = roster[2]
    assert nb.employee_no == "A1-002" and nb.home_post == world.nb.home_post.name
    assert nb.concurrent_posts == [p.name for p in world.nb.concurrent_posts.all()] != []
    assert [p.active for p in roster if p.name == "离岗周"] == [False]

    text = _squeezed(pdf_text(BranchPdfExporter(**kw(world)).build()))
    assert _squeezed(_("7. 表六 The branch's post and staffing list")) in text
    assert "A2-900" in text and "离岗周" in text


def test_the_workbooks_post_and_staffing_list_reads_back_as_a_roster(world):
    workbook = load_workbook(io.BytesIO(BranchXlsxExporter(**kw(world)).build()))
    rows = list(workbook["表六 岗位人员设置清单"].iter_rows(values_only=True))
    assert rows[0] == tuple(header for _key, header in ROSTER_COLUMNS)
    copy = Workbook()
    for row in rows:
        copy.active.append(row)
    content = io.BytesIO()
    copy.save(content)
    offices = {o.name: o.pk for o in world.branch_a.offices.all()}
    parsed = parse_roster(
        content.getvalue(),
        branch_names={world.branch_a.name},
        offices=offices,
        posts={p.name: p.pk for p in Post.objects.all()},
    )
    assert parsed.errors == []
    people = Specialist.objects.filter(branch=world.branch_a)
    assert {
        (
            r.employee_no,
            r.name,
            r.office_id,
            r.home_post_id,
            frozenset(r.concurrent_post_ids),
            r.active,
        )
        for r in parsed.rows
    } == {
        (
            p.employee_no,
            p.name,
            p.office_id,
            p.home_post_id,
            frozenset(c.pk for c in p.concurrent_posts.all()),
            p.active,
        )
        for p in people
    }
