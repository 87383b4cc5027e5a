"""Where points are lost, as a workbook: the losses page's four tables (sections
and items, branches × sections, the ten items that lose the most, checklist
requirements by non-compliance rate), one sheet each, with the page's filters."""

from django.utils.translation import gettext as _

from inspections.models import Branch, Campaign, User

from ..selectors.losses import Losses, Scope, losses
from .base import XLSX, Exporter, register, report_filename
from .excel import SheetWriter, new_workbook, percent, workbook_bytes


def _number(value):
    return None if value is None else float(value)


@register
class LossesXlsxExporter(Exporter):
    identifier = "losses-xlsx"
    format = XLSX
    subject = "campaign"

    def __init__(
        self,
        *,
        progress=None,
        campaign_id: int,
        user_id: int,
        branch_id: int | None = None,
        batch: str = "",
    ):
        super().__init__(
            progress=progress,
            campaign_id=campaign_id,
            user_id=user_id,
            branch_id=branch_id,
            batch=batch,
        )
        campaign = Campaign.objects.select_related("rubric").get(pk=campaign_id)
        branch = Branch.objects.get(pk=branch_id) if branch_id else None
        self.scope = Scope(
            campaign=campaign, user=User.objects.get(pk=user_id), branch=branch, batch=batch
        )

    def filename(self) -> str:
        branch = self.scope.branch.name if self.scope.branch is not None else ""
        return report_filename(
            _("Where points are lost"), self.scope.campaign.name, branch, extension=self.format
        )

    def build(self) -> bytes:
        data = losses(scope=self.scope)
        wb = new_workbook()
        self._sections(wb, data)
        self._heat_map(wb, data)
        self._top(wb, data)
        self._requirements(wb, data)
        return workbook_bytes(wb)

    @staticmethod
    def _sections(wb, data: Losses):
        sheet = SheetWriter(wb, _("Sections and items"), [8, 30, 40, 10, 12, 12, 12, 10])
        sheet.header(
            [
                _("Sheet"),
                _("Section"),
                _("Item"),
                _("Max points"),
                _("Points checked"),
                _("Points lost"),
                _("Share lost (%)"),
                _("Visits"),
            ]
        )
        for group in data.sheets:
            for section in group.sections:
                loss = section.loss
                sheet.row(
                    [
                        section.sheet_label,
                        section.name,
                        "",
                        _number(section.max_points),
                        _number(loss.checked),
                        _number(loss.lost),
                        percent(loss.share),
                        loss.visits,
                    ],
                    label=True,
                )
                for item in section.items:
                    loss = item.loss
                    sheet.row(
                        [
                            item.sheet_label,
                            item.section_name,
                            item.text,
                            None,
                            _number(loss.checked),
                            _number(loss.lost),
                            percent(loss.share),
                            loss.visits,
                        ]
                    )

    @staticmethod
    def _heat_map(wb, data: Losses):
        sheet = SheetWriter(wb, _("Branches × sections"), [16, *([14] * len(data.sections)), 12])
        sheet.header(
            [_("Share lost (%)")]
            + [section.heading for section in data.sections]
            + [_("All sections")]
        )
        # A batch's rows only when there are several to compare.
        batches = data.batch_rows if len(data.batch_rows) > 1 else []
        for row in (*data.heat_rows, *batches):
            sheet.row(
                [row.label]
                + [percent(cell.loss.share) for cell in row.cells]
                + [percent(row.loss.share)],
                label=True,
            )

    @staticmethod
    def _top(wb, data: Losses):
        sheet = SheetWriter(wb, _("Top ten items"), [6, 8, 30, 40, 12, 12, 12, 10])
        sheet.header(
            [
                _("Rank"),
                _("Sheet"),
                _("Section"),
                _("Item"),
                _("Points lost"),
                _("Points checked"),
                _("Share lost (%)"),
                _("Visits"),
            ]
        )
        for rank, item in enumerate(data.top, start=1):
            sheet.row(
                [
                    rank,
                    item.sheet_label,
                    item.section_name,
                    item.text,
                    _number(item.loss.lost),
                    _number(item.loss.checked),
                    percent(item.loss.share),
                    item.loss.visits,
                ]
            )

    @staticmethod
    def _requirements(wb, data: Losses):
        sheet = SheetWriter(wb, _("Checklist requirements"), [8, 24, 50, 10, 12, 14, 10])
        sheet.header(
            [
                _("Sheet"),
                _("Section"),
                _("Requirement"),
                _("Answered"),
                _("Not complied with"),
                _("Non-compliance rate (%)"),
                _("Visits"),
            ]
        )
        for line in data.requirements:
            sheet.row(
                [
                    line.sheet_label,
                    line.section_name,
                    line.text,
                    line.answered,
                    line.non_compliant,
                    percent(line.rate),
                    line.visits,
                ]
            )
