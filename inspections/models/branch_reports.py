"""A branch's acceptance report submitted to head office (以分公司为单位形成工作验收报告)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scoring.text import PlainTextField

from .campaigns import Campaign
from .organisation import Branch


def submitted_report_path(instance, filename):
    # Outside any public URL: served only through an access-checked view.
    return f"branch-reports/{instance.campaign_id}/{instance.branch_id}/{filename}"


class BranchReportSubmission(models.Model):
    """A branch manager submits the branch's acceptance report once per campaign;
    it is late when submitted after the campaign's report due date."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="branch_reports",
        verbose_name=_("campaign"),
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="report_submissions",
        verbose_name=_("branch"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    note = PlainTextField(_("note to head office"), blank=True)
    # The branch report as built when it was submitted (a copy: later rebuilds
    # of the branch report, as more visits are approved, do not change it).
    file = models.FileField(_("report file"), upload_to=submitted_report_path, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["campaign", "branch__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "branch"], name="one_branch_report_per_campaign"
            )
        ]
        verbose_name = _("branch report submission")
        verbose_name_plural = _("branch report submissions")

    def __str__(self):
        return f"{self.branch} · {self.campaign} · {self.submitted_at:%Y-%m-%d}"

    @property
    def submitted_on(self):
        """The local date of submission, the one compared with the due date."""
        return timezone.localdate(self.submitted_at)

    @property
    def is_late(self) -> bool:
        return self.campaign.is_late(self.submitted_at)
