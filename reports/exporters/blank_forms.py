"""Blank forms (表一–表七) of a campaign's rubric, as a printable PDF for paper
backup on site: each sheet (each part of 表二, each sub-sheet of 表四) with
its header fields and empty score and remark columns, laid out like the
plan's appendix tables; 表六 is the branch's post and staffing list."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from inspections.models import Campaign

from ..selectors.blank_forms import blank_forms
from ..selectors.types import BLANK_FORMS_TITLE
from . import pdf
from .base import PDF, Exporter, register, report_filename


@register
class BlankFormsPdfExporter(Exporter):
    identifier = "blank-forms-pdf"
    format = PDF
    subject = "campaign"
    title_format = gettext_lazy("Blank forms of %(campaign)s (%(format)s)")

    def __init__(self, *, progress=None, campaign_id: int, **subject):
        super().__init__(progress=progress, campaign_id=campaign_id, **subject)
        self.campaign_id = campaign_id
        self._campaign = None

    @property
    def campaign(self) -> Campaign:
        if self._campaign is None:
            self._campaign = Campaign.objects.select_related("rubric").get(pk=self.campaign_id)
        return self._campaign

    def filename(self) -> str:
        return report_filename(BLANK_FORMS_TITLE, self.campaign.name, extension=self.format)

    def html(self) -> str:
        return pdf.render_html(
            "reports/blank_forms.html",
            {
                "title": BLANK_FORMS_TITLE,
                "campaign": self.campaign,
                "forms": blank_forms(campaign=self.campaign),
                "generated_at": timezone.localtime(),
            },
        )

    def build(self) -> bytes:
        self.progress(10)
        html = self.html()
        self.progress(40)
        content = pdf.html_to_pdf(html)
        self.progress(100)
        return content
