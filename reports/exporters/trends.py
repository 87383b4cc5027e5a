"""A unit's results across campaigns (the trend page's tables), downloaded at once."""

from django.utils.translation import gettext as _

from inspections.models import Branch, Office

from ..selectors.trends import unit_trend
from .base import XLSX, Exporter, register, report_filename
from .excel import BOLD, SheetWriter, new_workbook, percent, workbook_bytes


@register
class TrendXlsxExporter(Exporter):
    """An office's or a branch's scores and sections' shares of points lost,
    one column per campaign, and what the rubric versions do not share."""

    identifier = "trend-xlsx"
    format = XLSX
    subject = "unit"

    def __init__(self, *, progress=None, branch_id: int, office_id: int | None = None):
        super().__init__(progress=progress, branch_id=branch_id, office_id=office_id)
        self.branch = Branch.objects.get(pk=branch_id)
        self.office = Office.objects.get(pk=office_id) if office_id else None

    @property
    def unit_name(self) -> str:
        return self.office.name if self.office else self.branch.name

    def filename(self) -> str:
        return report_filename(_("Across campaigns"), self.unit_name, extension=self.format)

    def build(self) -> bytes:
        trend = unit_trend(
            branch_id=self.branch.pk,
            office_id=self.office.pk if self.office else None,
            whole_branch=self.office is None,
        )
        wb = new_workbook()
        sheet = SheetWriter(wb, _("Across campaigns"), [36] + [18] * len(trend.columns))
        sheet.title(f"{self.unit_name} · {_('Across campaigns')}")
        sheet.header([""] + [c.campaign.name for c in trend.columns])
        sheet.row([_("Rubric version")] + [c.rubric for c in trend.columns], label=True)
        sheet.row([_("Visits that count")] + [c.visits for c in trend.columns], label=True)
        sheet.row([_("Overall score (%)")] + [percent(v) for v in trend.overall.values], font=BOLD)
        sheet.row([_("Grade")] + [r.grade or "" for r in trend.overall.results], label=True)
        for row in trend.sheets:
            name = _("%(sheet)s compliance rate (%%)") if row.requirement else _("%(sheet)s (%%)")
            sheet.row([name % {"sheet": row.label}] + [percent(v) for v in row.values])
        sheet.blank()
        sheet.header([_("Section: share lost (%)")] + [c.campaign.name for c in trend.columns])
        for block in trend.sections:
            sheet.row([block.label], font=BOLD)
            for row in block.rows:
                mark = "" if row.matched else f" [{_('not the same in every rubric version')}]"
                sheet.row([row.label + mark] + [percent(v) for v in row.values])
        if trend.unmatched:
            other = SheetWriter(wb, _("Not matched"), [10, 12, 30, 40, 24, 24])
            other.header([_("Kind"), _("Sheet"), _("Section"), _("Item"), _("In"), _("Not in")])
            for entry in trend.unmatched:
                other.row(
                    [
                        _("section") if entry.kind == "section" else _("item"),
                        entry.table_label,
                        entry.section,
                        entry.item,
                        "、".join(entry.versions),
                        "、".join(entry.missing),
                    ]
                )
        return workbook_bytes(wb)
