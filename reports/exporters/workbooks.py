"""The workbooks downloaded at once, not built by the worker: head office's
action statistics, the problem register as its list shows it, and the templates of the two Excel imports (the branch
roster, 表六, and head office's KPI figures)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import selectors
from inspections.models import Campaign, Office, User
from inspections.models.ordering import branch_order, office_order
from inspections.roster import COLUMNS as ROSTER_COLUMNS
from inspections.workbooks import KPI_COLUMNS

from .base import XLSX, Exporter, register, report_filename
from .excel import SheetWriter, new_workbook, workbook_bytes, yes_no

ROSTER_NOTES = (
    "员工号：必填，全公司唯一；再次导入时按员工号更新人员。",
    "姓名：必填。",
    "所属机构：三级机构名称或代码；分公司本部人员填写分公司名称。",
    "原岗位：必填，岗位名称，如 契约、初审、单证、保全、理赔、续期、综合、主管、引导。",
    "兼岗：可空，多个岗位用顿号（、）或逗号分隔。",
    "在岗：是/否，空白视为“是”。",
)


@register
class ActionStatisticsXlsxExporter(Exporter):
    """Per branch and responsible unit: open, overdue, closed, on time (the
    statistics page's table), as the user sees them."""

    identifier = "action-statistics-xlsx"
    format = XLSX
    subject = "user"

    def __init__(self, *, progress=None, user_id: int, campaign_id: int | None = None):
        super().__init__(progress=progress, user_id=user_id, campaign_id=campaign_id)
        self.user = User.objects.get(pk=user_id)
        self.campaign_id = campaign_id

    def filename(self) -> str:
        return report_filename(_("Rectification statistics"), extension=self.format)

    def build(self) -> bytes:
        rows = selectors.action_stats(
            user=self.user, today=timezone.localdate(), campaign_id=self.campaign_id
        )
        wb = new_workbook()
        sheet = SheetWriter(wb, "整改统计", [14, 20, 8, 8, 8, 10, 14, 10])
        sheet.header(
            ["分公司", "机构", "未关闭", "逾期", "已关闭", "按期关闭", "按期关闭率(%)", "重复逾期"]
        )
        for row in rows:
            sheet.row(
                [
                    row.branch,
                    row.unit,
                    row.open,
                    row.overdue,
                    row.closed,
                    row.closed_on_time,
                    row.on_time_rate,
                    "是" if row.repeated_overdue else "",
                ]
            )
        return workbook_bytes(wb)


def _day(value: datetime.date | datetime.datetime | None) -> str:
    """A date, or a moment as its local date."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


@register
class ProblemRegisterXlsxExporter(Exporter):
    """The problem register's entries the user sees, with the list's filters
    (`selectors.problem_list`), one row each."""

    identifier = "problem-register-xlsx"
    format = XLSX
    subject = "user"

    def __init__(self, *, progress=None, user_id: int, filters: dict | None = None):
        super().__init__(progress=progress, user_id=user_id, filters=filters)
        self.user = User.objects.get(pk=user_id)
        self.filters = filters or {}

    def filename(self) -> str:
        return report_filename(_("Problem register"), extension=self.format)

    def build(self) -> bytes:
        today = timezone.localdate()
        problems = selectors.problem_list(user=self.user, today=today, filters=self.filters)
        wb = new_workbook()
        sheet = SheetWriter(
            wb, _("Problem register"), [14, 18, 18, 12, 12, 50, 14, 12, 10, 8, 50, 12, 12, 14]
        )
        sheet.header(
            [
                _("Branch"),
                _("Unit"),
                _("Campaign"),
                _("Visit kind"),
                _("Kind"),
                _("Raised"),
                _("Owner"),
                _("Respond by"),
                _("Status"),
                _("Overdue"),
                _("Response"),
                _("Responded on"),
                _("Closed on"),
                _("Closed by"),
            ]
        )
        for problem in problems.select_related("responded_by"):
            sheet.row(
                [
                    problem.visit.branch.name,
                    problem.visit.unit_name,
                    problem.visit.campaign.name,
                    problem.visit.get_kind_display(),
                    problem.get_kind_display(),
                    problem.text,
                    str(problem.owner or ""),
                    _day(problem.deadline),
                    problem.get_status_display(),
                    yes_no(problem.is_overdue(today)),
                    problem.response,
                    _day(problem.responded_at),
                    _day(problem.closed_at),
                    str(problem.closed_by or ""),
                ],
                wrap=True,
            )
        return workbook_bytes(wb)


@register
class RosterTemplateXlsxExporter(Exporter):
    """表六 分公司岗位人员设置清单, empty: its headers, one example row (at an
    office the user may manage) and how to fill it in."""

    identifier = "roster-template-xlsx"
    format = XLSX
    subject = "user"

    def __init__(self, *, progress=None, office_id: int | None = None):
        super().__init__(progress=progress, office_id=office_id)
        office = Office.objects.filter(pk=office_id).first() if office_id else None
        self.example_workplace = office.name if office else ""

    def filename(self) -> str:
        return report_filename("表六 岗位人员设置清单", extension=self.format)

    def build(self) -> bytes:
        wb = new_workbook()
        sheet = SheetWriter(wb, "表六 岗位人员设置清单", [14, 12, 20, 12, 20, 8])
        sheet.header([header for _key, header in ROSTER_COLUMNS])
        sheet.row(["E00001", "张三", self.example_workplace, "保全", "理赔", "是"])
        notes = SheetWriter(wb, "填写说明", [90])
        for line in ROSTER_NOTES:
            notes.row([line])
        return workbook_bytes(wb)


@register
class KpiTemplateXlsxExporter(Exporter):
    """Head office's KPI figures to fill in: a row per branch (its balanced
    acceptance rate) and per office (its mixed acceptance rate)."""

    identifier = "kpi-template-xlsx"
    format = XLSX
    subject = "campaign"

    def __init__(self, *, progress=None, campaign_id: int):
        super().__init__(progress=progress, campaign_id=campaign_id)
        self.campaign = Campaign.objects.get(pk=campaign_id)

    def filename(self) -> str:
        return report_filename("指标监测", self.campaign.name, extension=self.format)

    def build(self) -> bytes:
        wb = new_workbook()
        sheet = SheetWriter(wb, "指标监测", [14, 20, 12, 12])
        sheet.header(list(KPI_COLUMNS))
        branches = self.campaign.branches.order_by(*branch_order())
        offices = Office.objects.filter(branch__in=branches).order_by(*office_order())
        by_branch = {}
        for office in offices.select_related("branch"):
            by_branch.setdefault(office.branch_id, []).append(office)
        for branch in branches:
            sheet.row([branch.name, None, None, None])
            for office in by_branch.get(branch.pk, []):
                sheet.row([branch.name, office.name, None, None])
        return workbook_bytes(wb)
