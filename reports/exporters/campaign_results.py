"""A campaign's results page as a workbook, downloaded at once: the page's
tables (`reports.selectors.results_table`), with its filters and sort, a sheet
each; numbers stay numbers."""

from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import Campaign, User

from ..selectors.results_table import ResultsQuery, Table, results_table
from .base import XLSX, Exporter, register, report_filename
from .excel import SheetWriter, new_workbook, workbook_bytes


def write_table(sheet: SheetWriter, table: Table) -> None:
    sheet.header([column.label for column in table.columns])
    for cells in table.rows:
        sheet.row([cell.value for cell in cells])


@register
class CampaignResultsXlsxExporter(Exporter):
    identifier = "campaign-results-xlsx"
    format = XLSX
    subject = "user"

    def __init__(self, *, progress=None, campaign_id: int, user_id: int, query: ResultsQuery):
        super().__init__(progress=progress, campaign_id=campaign_id, user_id=user_id)
        self.campaign = Campaign.objects.get(pk=campaign_id)
        self.user = User.objects.get(pk=user_id)
        self.query = query

    def filename(self) -> str:
        return report_filename(_("Campaign results"), self.campaign.name, extension=self.format)

    def build(self) -> bytes:
        table = results_table(
            campaign=self.campaign, user=self.user, today=timezone.localdate(), query=self.query
        )
        wb = new_workbook()
        for title, part, widths in (
            (_("Branches"), table.branch_table, [18, 10, 12]),
            (_("Unit results"), table.unit_table, [24, 18, 14]),
            (_("Score distribution"), table.distribution_table, [12, 10]),
            (_("Grades per branch"), table.grades_table, [18]),
        ):
            write_table(SheetWriter(wb, title, widths), part)
        return workbook_bytes(wb)
